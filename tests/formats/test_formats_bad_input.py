"""Bad input: a FormatError that says where and what, and never any other exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.formats import FormatError, gift, moodle_xml
from quizzes.formats.model import ParsedQuestion

FUZZ = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _gift_error(text: str) -> FormatError:
    with pytest.raises(FormatError) as caught:
        gift.parse(text)
    return caught.value


def _xml_error(data: bytes, **kwargs) -> FormatError:
    with pytest.raises(FormatError) as caught:
        moodle_xml.parse(data, **kwargs)
    return caught.value


# --- GIFT -----------------------------------------------------------------------------------


def test_gift_unterminated_brace_names_the_line() -> None:
    error = _gift_error("Fine.{T}\n\n// a comment\nWho is buried\nin Grant's tomb? {=no one\n")
    assert error.line == 5
    assert str(error) == (
        "line 5: unterminated answer block '{' opened here; close it with "
        "'}' (a blank line ends a question)"
    )


def test_gift_blank_line_inside_braces_ends_the_question() -> None:
    error = _gift_error("::Q1:: Pick one {\n~a\n\n=b\n}")
    assert error.line == 1 and error.question == "Q1"
    assert "unterminated" in error.message


def test_gift_closing_brace_without_opening() -> None:
    error = _gift_error("\n\nWhat? =a}")
    assert error.line == 3 and "'}' without an opening '{'" in error.message


def test_gift_second_answer_block_is_refused() -> None:
    error = _gift_error("A {=b} and\nC {=d}")
    assert error.line == 2 and "second '{'" in error.message


def test_gift_brace_inside_answer_block() -> None:
    error = _gift_error("A {=b {c}")
    assert "inside the answer block" in error.message


@pytest.mark.parametrize("tag", ["[md]", "[HTML]", "[text]", "[Markdown]"])
def test_gift_unknown_format_tag(tag: str) -> None:
    error = _gift_error(f"\n::Fmt::{tag}Who? {{=a}}")
    assert error.line == 2 and error.question == "Fmt"
    assert f"unknown text format tag '{tag}'" in error.message


def test_gift_text_that_merely_starts_with_brackets_is_kept() -> None:
    (q,) = gift.parse("[sic] Who? {=a}").questions
    assert q.stem == "[sic] Who?" and q.text_format == "moodle"


@pytest.mark.parametrize("answers", ["#abc", "#1..x", "#1:x", "#5..1", "#=abc:1", "#"])
def test_gift_numerical_garbage(answers: str) -> None:
    error = _gift_error(f"// comment\n::Num:: How many? {{{answers}}}")
    assert error.line == 2 and error.question == "Num"
    assert "number" in error.message or "range" in error.message or "answer" in error.message


def test_gift_numerical_error_text() -> None:
    error = _gift_error("::Num:: How many? {#abc}")
    assert str(error) == (
        "line 1: question 'Num': answer 'abc' is not a number (write 3.14, "
        "3.14:0.01 for a tolerance, or 3.1..3.2 for a range)"
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("Q {~only}", "at least two answers"),
        ("Q {=a -> b =c}", "has no '->'"),
        ("Q {~%33%a =b}", "invalid grade 33%"),
        ("Q {~%--50%a =b}", "invalid weight"),
        ("Q {~%50%a ~%25%b ~c}", "add up to 75%"),
        ("Q {=%50%a =%25%b}", "no answer is worth 100%"),
        ("::Unclosed name Q {T}", "no closing '::'"),
        ("Q \ufdd0 {T}", "noncharacter"),
    ],
)
def test_gift_other_errors(text: str, message: str) -> None:
    assert message in _gift_error(text).message


def test_gift_error_reports_default_name() -> None:
    error = _gift_error("\n\nWhich is prime? {~%33%2 =3}")
    assert str(error).startswith("line 3: question 'Which is prime?': invalid grade 33%")


def test_gift_parse_wants_text() -> None:
    with pytest.raises(FormatError, match="decode"):
        gift.parse(b"Q {T}")  # type: ignore[arg-type]


# --- GIFT writer ----------------------------------------------------------------------------


def _q(qtype: str, data: dict, **kwargs) -> ParsedQuestion:
    return ParsedQuestion(
        qtype=qtype,
        name=kwargs.pop("name", "Q"),
        stem="Stem",
        text_format="markdown",
        data=data,
        **kwargs,
    )


def test_gift_cannot_write_select_missing_words() -> None:
    q = _q(
        "select_missing_words",
        {"text": "The [[1]] sat.", "options": [{"text": "cat", "group": 1}]},
        name="Gaps",
    )
    with pytest.raises(FormatError) as caught:
        gift.write([q])
    assert caught.value.question == "Gaps"
    assert "Moodle XML" in caught.value.message
    assert "select_missing_words" in str(caught.value)


def test_gift_writer_refuses_grades_moodle_refuses() -> None:
    q = _q(
        "single_choice",
        {"choices": [{"text": "a", "fraction": 1}, {"text": "b", "fraction": 0.35}]},
    )
    with pytest.raises(FormatError, match="invalid grade 35%"):
        gift.write([q])


def test_gift_writer_refuses_arrow_in_prompt() -> None:
    q = _q(
        "matching", {"pairs": [{"prompt": "a -> b", "answer": "c"}, {"prompt": "d", "answer": "e"}]}
    )
    with pytest.raises(FormatError, match="'->'"):
        gift.write([q])


# --- Moodle XML -----------------------------------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<quiz><question type="description"><name><text>&d;</text></name></question></quiz>
"""


def test_xml_entity_bomb() -> None:
    assert "entities are not allowed" in str(_xml_error(BOMB))


def test_xml_external_entity() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY xxe SYSTEM '
        b'"file:///etc/passwd">]>\n<quiz><question type="description"><name><text>&xxe;'
        b"</text></name></question></quiz>"
    )
    assert "entities are not allowed" in str(_xml_error(data))


def test_xml_external_dtd() -> None:
    data = b'<!DOCTYPE quiz SYSTEM "http://example.com/quiz.dtd"><quiz/>'
    assert "external entities are not allowed" in str(_xml_error(data))


def test_xml_oversized_input() -> None:
    data = b"<quiz>" + b" " * 200 + b"</quiz>"
    error = _xml_error(data, max_bytes=100)
    assert "213 bytes" in error.message and "limit is 100" in error.message
    assert moodle_xml.parse(data, max_bytes=1000).questions == []


def test_xml_malformed_names_the_line() -> None:
    error = _xml_error(b'<?xml version="1.0"?>\n<quiz>\n  <question type="truefalse">\n  </quiz>\n')
    assert error.line == 4
    assert str(error).startswith("line 4: malformed XML: mismatched tag")


def test_xml_bad_fraction_names_the_element() -> None:
    data = (
        b'<quiz><question type="category"><category><text>$course$/A</text></category>'
        b'</question><question type="shortanswer"><name><text>Frog</text></name>'
        b'<questiontext format="html"><text>?</text></questiontext>'
        b'<answer fraction="100"><text>frog</text></answer>'
        b'<answer fraction="lots"><text>toad</text></answer></question></quiz>'
    )
    error = _xml_error(data)
    assert str(error) == "question 'Frog' (question[2]/answer[2]/@fraction): 'lots' is not a number"


def test_xml_markup_inside_text_needs_cdata() -> None:
    data = (
        b'<quiz><question type="description"><name><text>D</text></name>'
        b"<questiontext><text><p>hi</p></text></questiontext></question></quiz>"
    )
    error = _xml_error(data)
    assert error.element == "question[1]/questiontext/text" and "CDATA" in error.message


@pytest.mark.parametrize(
    "qtype",
    [
        "calculated",
        "calculatedsimple",
        "calculatedmulti",
        "ddmarker",
        "ddimageortext",
        "ddwtos",
        "randomsamatch",
        "random",
        "somethingnew",
    ],
)
def test_xml_unsupported_types_refuse_the_whole_file(qtype: str) -> None:
    data = (
        f'<quiz><question type="{qtype}"><name><text>N</text></name></question>'
        '<question type="truefalse"><name><text>T</text></name><answer fraction="100">'
        "<text>true</text></answer><answer fraction="
        '"0"><text>false</text></answer></question></quiz>'
    ).encode()
    with pytest.raises(FormatError) as caught:
        moodle_xml.parse(data)
    assert (caught.value.element, caught.value.question) == ("question[1]", "N")
    assert caught.value.message.startswith(f"question type '{qtype}'")
    assert "not supported" in caught.value.message


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<quizz/>", "root element is <quizz>"),
        (b"<quiz><question><name><text>x</text></name></question></quiz>", "no type attribute"),
        (
            b'<quiz><question type="description"><questiontext><text>x</text>'
            b'<file name="a.jpg" encoding="base64">@@@</file></questiontext></question></quiz>',
            "not valid base64",
        ),
        (
            b'<quiz><question type="numerical"><answer fraction="100"><text>3,5</text></answer>'
            b"</question></quiz>",
            "'3,5' is not a number",
        ),
        (
            b'<quiz><question type="multichoice"><answer fraction="100"><text>a</text></answer>'
            b"</question></quiz>",
            "at least two choices",
        ),
        (
            b'<quiz><question type="gapselect"><questiontext><text>[[2]]</text></questiontext>'
            b"<selectoption><text>a</text><group>1</group></selectoption></question></quiz>",
            "gap [[2]] names option 2, but there are 1",
        ),
        (b"\xff\xfe<\x00q\x00", "malformed XML"),
    ],
)
def test_xml_other_errors(data: bytes, message: str) -> None:
    assert message in str(_xml_error(data))


def test_xml_writer_refuses_control_characters() -> None:
    q = _q("essay", {"grader_info": "bell \x07"})
    with pytest.raises(FormatError, match="U\\+0007"):
        moodle_xml.write([q])


# --- fuzz -----------------------------------------------------------------------------------

GIFTISH = st.text(alphabet="{}=~#:%->TRUEF[]\\/$CATEGORY \nab01.*_htmlmd\ufdd0가", max_size=80)


@FUZZ
@given(st.text(max_size=200) | GIFTISH)
def test_gift_fuzz_raises_only_format_error(text: str) -> None:
    try:
        gift.parse(text)
    except FormatError:
        pass


VALID_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><quiz><question type="multichoice">'
    b'<name><text>N</text></name><questiontext format="html"><text><![CDATA[<p>Q</p>'
    b']]></text><file name="a.jpg" path="/" encoding="base64">/9j/</file>'
    b'</questiontext><single>true</single><answer fraction="100"><text>a</text>'
    b'<feedback><text>f</text></feedback></answer><answer fraction="0"><text>b</text>'
    b"</answer></question></quiz>"
)


@st.composite
def mutated_xml(draw) -> bytes:
    data = bytearray(VALID_XML)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data) - 1))
        data[at : at + draw(st.integers(0, 3))] = draw(st.binary(max_size=3))
    return bytes(data)


@FUZZ
@given(st.binary(max_size=300) | mutated_xml())
def test_xml_fuzz_raises_only_format_error(data: bytes) -> None:
    try:
        moodle_xml.parse(data)
    except FormatError:
        pass


@pytest.mark.parametrize("writer", [gift.write, moodle_xml.write])
@pytest.mark.parametrize(
    "broken",
    [
        {"qtype": "poll"},
        {"text_format": "rtf"},
        {"data": []},
        {"data": {"correct": "yes"}},
        {"default_mark": None},
        {"files": ["a.jpg"]},
    ],
)
def test_writers_refuse_broken_questions_with_format_error(writer, broken: dict) -> None:
    q = ParsedQuestion(
        qtype="true_false", name="Broken", stem="S", text_format="html", data={"correct": True}
    )
    with pytest.raises(FormatError) as caught:
        writer([ParsedQuestion(**{**q.__dict__, **broken})])
    assert caught.value.question == "Broken" and caught.value.element == "question[1]"


# Structured fuzz: well-formed Moodle XML with hostile values in the places the importer
# reads (grades, numbers, groups, gaps, formats, files).
VALUES = st.sampled_from(
    [
        "",
        "0",
        "1",
        "100",
        "-50",
        "33",
        "abc",
        "1e999",
        "nan",
        "3.5",
        "*",
        "true",
        "false",
        " 2 ",
        "[[1]]",
        "[[9]]",
        "x [[1]] y [[2]]",
        "가",
    ]
)
TAGS = st.sampled_from(
    [
        "text",
        "answer",
        "single",
        "shuffleanswers",
        "usecase",
        "tolerance",
        "fraction",
        "units",
        "unit",
        "multiplier",
        "unit_name",
        "unitgradingtype",
        "subquestion",
        "selectoption",
        "group",
        "responseformat",
        "minwordlimit",
        "maxwordlimit",
        "graderinfo",
        "defaultgrade",
        "questiontext",
        "generalfeedback",
        "feedback",
        "name",
        "tags",
        "tag",
        "idnumber",
        "file",
        "category",
        "hint",
    ]
)
ATTRS = st.sampled_from(
    [
        "",
        ' fraction="100"',
        ' fraction="x"',
        ' format="html"',
        ' format="zzz"',
        ' name="a.jpg" encoding="base64"',
        ' name="" path="/x/"',
        ' encoding="hex" name="b"',
    ]
)
TYPES = st.sampled_from(
    [
        "multichoice",
        "truefalse",
        "shortanswer",
        "numerical",
        "matching",
        "match",
        "gapselect",
        "essay",
        "description",
        "category",
        "ddwtos",
        "",
    ]
)


def _elements(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return VALUES
    return VALUES | st.builds(
        lambda t, a, kids: f"<{t}{a}>{''.join(kids)}</{t}>",
        TAGS,
        ATTRS,
        st.lists(_elements(depth - 1), max_size=4),
    )


HOSTILE_XML = st.lists(st.tuples(TYPES, st.lists(_elements(3), max_size=6)), max_size=4).map(
    lambda qs: (
        "<quiz>"
        + "".join(f'<question type="{t}">{"".join(k)}</question>' for t, k in qs)
        + "</quiz>"
    ).encode()
)


@FUZZ
@given(HOSTILE_XML)
def test_xml_structured_fuzz_raises_only_format_error(data: bytes) -> None:
    try:
        moodle_xml.parse(data)
    except FormatError:
        pass


# A file of many categories was read in quadratic time (each new category was looked up in a
# list): 150,000 empty categories, 9 MB of XML, took over five minutes. Categories are now kept
# in a set and bounded like questions: 10,000 levels per file.


def _xml_categories(paths: list[str]) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><quiz>' + "".join(
        f'<question type="category"><category><text>$course$/top/{p}</text></category>'
        "</question>" for p in paths) + "</quiz>").encode()


def test_xml_many_categories_are_refused_quickly() -> None:
    import time

    started = time.monotonic()
    with pytest.raises(FormatError) as refused:
        moodle_xml.parse(_xml_categories([f"c{i}" for i in range(60_000)]))
    assert time.monotonic() - started < 10
    assert "more than 10,000 categories" in str(refused.value)
    assert refused.value.element == "question[10001]"


def test_deep_category_paths_count_every_level() -> None:
    deep = "/".join(["가"] * 5_001)
    with pytest.raises(FormatError, match="more than 10,000 categories"):
        moodle_xml.parse(_xml_categories([deep, deep + "/나"]))
    with pytest.raises(FormatError, match="more than 10,000 categories") as refused:
        gift.parse(f"$CATEGORY: {deep}\n\n$CATEGORY: {deep}/나\n\n::q::맞나요? {{TRUE}}\n")
    assert refused.value.line == 3
    # 10,000 levels in all are still read, and a category named twice counts once.
    result = moodle_xml.parse(_xml_categories([f"c{i}" for i in range(10_000)] + ["c0"]))
    assert len(result.categories) == 10_000


# A Korean Moodle XML file saved as EUC-KR/CP949 was refused as "malformed XML: not
# well-formed (invalid token) (column 45)" or "unreadable XML: multi-byte encodings are not
# supported": neither says what to do. Both now say to save the file as UTF-8.

_KOREAN_XML = ('<quiz><question type="truefalse"><name><text>한글 문항</text></name>'
               "<questiontext><text>맞나요?</text></questiontext>"
               '<answer fraction="100"><text>true</text></answer>'
               '<answer fraction="0"><text>false</text></answer></question></quiz>')


@pytest.mark.parametrize("declaration", ["", '<?xml version="1.0" encoding="UTF-8"?>\n',
                                         "\ufeff<?xml version='1.0' encoding='utf8'?>"])
def test_xml_korean_file_not_in_utf8_says_to_save_it_as_utf8(declaration: str) -> None:
    data = declaration.encode("utf-8") + _KOREAN_XML.encode("cp949")
    with pytest.raises(FormatError, match=r"^the file is not UTF-8 text \(byte \d+\); save it "
                                          "as UTF-8 and import it again$"):
        moodle_xml.parse(data)


def test_xml_encoding_expat_cannot_read_says_to_save_it_as_utf8() -> None:
    data = ('<?xml version="1.0" encoding="EUC-KR"?>' + _KOREAN_XML).encode("euc-kr")
    with pytest.raises(FormatError, match="encoding cannot be read .*save it as UTF-8"):
        moodle_xml.parse(data)


@pytest.mark.parametrize("data", [
    ('<?xml version="1.0" encoding="UTF-16"?>' + _KOREAN_XML).encode("utf-16"),
    b"\xef\xbb\xbf" + _KOREAN_XML.encode("utf-8"),
    ('<?xml version="1.0" encoding="ISO-8859-1"?>'
     + _KOREAN_XML.replace("한글 문항", "café").replace("맞나요?", "ok")).encode("latin-1"),
])
def test_xml_in_encodings_expat_reads_still_imports(data: bytes) -> None:
    assert len(moodle_xml.parse(data).questions) == 1


def test_gift_files_joined_each_with_a_byte_order_mark() -> None:
    """`cat a.gift b.gift` of two files saved with a BOM: the second BOM sat before
    "$CATEGORY:" (read as question text) or "::name::" (the name became part of the text)."""
    first = "\ufeff$CATEGORY: 1주차\n\n::가::맞나요? {TRUE}\n"
    second = "\ufeff$CATEGORY: 2주차\n\n::나::틀리나요? {FALSE}\n\n\ufeff::다::또? {TRUE}\n"
    result = gift.parse(first + "\n" + second)
    assert [(q.name, q.stem, q.category) for q in result.questions] == [
        ("가", "맞나요?", ("1주차",)), ("나", "틀리나요?", ("2주차",)), ("다", "또?", ("2주차",))]
