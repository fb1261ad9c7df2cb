"""Demo upload fields in a real browser: choosing or dropping an image shows its preview, the
preview can be removed, and the field stays a labelled file input a keyboard reaches."""

import io

import pytest
from PIL import Image

from .conftest import shot

pytestmark = [pytest.mark.e2e]


def png(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 48), colour).save(out, format="PNG")
    return out.getvalue()


def test_choosing_and_dropping_an_image_shows_a_preview(page_for, accounts):
    page = page_for("student", "student-pass", locale="en-US")
    page.goto("/demos/")
    zone = page.locator("#detect-form [data-dropzone]")
    field = zone.locator("input[type=file]#detect-image")
    assert zone.locator("label[for=detect-image]").inner_text().startswith("Upload an image")
    assert zone.get_attribute("class").split().count("is-enhanced") == 1
    assert zone.locator(".dropzone-hint").is_visible()
    preview = zone.locator(".dropzone-preview")
    assert preview.is_hidden()

    # Chosen with the file picker (what a keyboard user does: the input takes the focus).
    field.focus()
    assert page.evaluate("document.activeElement.id") == "detect-image"
    field.set_input_files({"name": "red.png", "mimeType": "image/png", "buffer": png()})
    assert preview.is_visible()
    assert zone.locator(".dropzone-name").inner_text().startswith("red.png")
    img = preview.locator("img")
    img.wait_for(state="visible")
    assert img.get_attribute("src").startswith("data:image/png")
    assert img.get_attribute("alt") == "Preview of red.png"
    assert page.evaluate("document.querySelector('#detect-form .dropzone-preview img')"
                         ".naturalWidth") == 48  # the image itself, decoded
    shot(page, "demo-upload-preview")

    # Removed: the input is empty again and the focus is back on it.
    preview.locator("button").click()
    assert preview.is_hidden()
    assert page.evaluate("document.getElementById('detect-image').files.length") == 0
    assert page.evaluate("document.activeElement.id") == "detect-image"

    # Dropped onto the zone: the file lands in the input, which the form then sends.
    transfer = page.evaluate_handle("""bytes => {
        const t = new DataTransfer();
        t.items.add(new File([new Uint8Array(bytes)], 'blue.png', {type: 'image/png'}));
        return t; }""", list(png((30, 30, 200))))
    zone.dispatch_event("drop", {"dataTransfer": transfer})
    assert page.evaluate("document.getElementById('detect-image').files[0].name") == "blue.png"
    assert zone.locator(".dropzone-name").inner_text().startswith("blue.png")
    img.wait_for(state="visible")
    assert img.get_attribute("alt") == "Preview of blue.png"


def test_without_javascript_the_field_is_a_plain_file_input(browser, live_server, accounts):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "student")
    page.fill("#id_password", "student-pass")
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/demos/")
    field = page.locator("#detect-image")
    assert field.is_visible() and field.get_attribute("type") == "file"
    assert page.locator("#detect-form .dropzone-hint").is_hidden()
    assert page.locator("#detect-form .dropzone-preview").is_hidden()
    context.close()
