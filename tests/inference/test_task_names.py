"""Work is sent by task name (so the web side never imports the task bodies, which import the
worker code and torch); every name sent must be a task a worker has registered."""

from config.celery import app
from inference import enqueue
from inference.training import services as training_services


def test_every_task_name_sent_is_a_registered_task():
    app.loader.import_default_modules()  # what a worker does at start: autodiscover the tasks
    sent = [enqueue.DEMO_RUN, enqueue.SPOT_POOL_REFILL, training_services.TRAINING_RUN,
            training_services.POOL_RESCORE]
    assert [name for name in sent if name not in app.tasks] == []
