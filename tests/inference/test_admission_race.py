"""The per-user in-flight limit holds under parallel requests: admission counts and inserts
under one lock per user, so 16 simultaneous creations by one student never have more than the
limit in flight. (A worker of the session may finish a job during the race and free its slot, so
the test checks the overlap of the admitted jobs, not only their number.)"""

import threading

import pytest
from django.db import connection
from django.test import Client

from inference.models import DemoJob

pytestmark = pytest.mark.django_db(transaction=True)


def test_sixteen_parallel_posts_admit_exactly_the_in_flight_limit(django_user_model, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs a server database")
    settings.DEMO_MAX_IN_FLIGHT_PER_USER = 4
    settings.DEMO_RATE_PER_MINUTE = 100
    user = django_user_model.objects.create_user("racer", password="pw-12345!")
    other = django_user_model.objects.create_user("bystander", password="pw-12345!")
    clients = []
    for i in range(16):
        c = Client()
        c.force_login(other if i == 15 else user)  # someone else's request is not held up
        clients.append(c)
    start = threading.Barrier(len(clients))
    codes = [None] * len(clients)

    def create(i):
        try:
            start.wait()
            reply = clients[i].post("/api/demos/jobs/",
                                    # A seed each: no request is answered from the cache.
                                    {"kind": "face-generate",
                                     "params": {"count": 1, "seed": 1000 + i}},
                                    content_type="application/json")
            codes[i] = reply.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    mine = codes[:15]
    jobs = list(DemoJob.objects.filter(user=user).order_by("created_at"))
    assert sorted(mine) == [202] * len(jobs) + [429] * (15 - len(jobs)), codes
    assert len(jobs) >= 4
    assert codes[15] == 202
    for job in jobs:
        in_flight_before = [other for other in jobs if other.created_at < job.created_at and (
            other.finished_at is None or other.finished_at > job.created_at)]
        assert len(in_flight_before) < 4, (job.pk, [o.pk for o in in_flight_before])
