"""The web process never imports torch: only the Celery worker runs models."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_serving_pages_and_creating_jobs_does_not_import_torch(tmp_path):
    code = """
import os, sys
import django
django.setup()
from django.conf import settings
settings.ALLOWED_HOSTS = ["testserver"]
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_course_pack", "content/genai-intro", verbosity=0)
from django.contrib.auth import get_user_model
from courses.models import Course
from courses.services import enrollment_create
user = get_user_model().objects.create_user("w", password="pw-123456!")
enrollment_create(user=user, course=Course.objects.get(), role="student")
client = Client()
client.force_login(user)
for url in ["/", "/courses/genai-intro/", "/courses/genai-intro/lessons/gan-principle/",
            "/courses/genai-intro/lessons/image-captioning-1/", "/demos/", "/api/schema/"]:
    assert client.get(url).status_code == 200, url
client.post("/demos/jobs/", {"kind": "face-generate", "seed": 1})
# Retraining: the page, and an upload of photos checked and stored (the training is the worker's)
import io, zipfile
from PIL import Image
from django.core.files.uploadedfile import SimpleUploadedFile
staff = get_user_model().objects.create_user("st", password="pw-123456!", is_staff=True)
client.force_login(staff)
assert client.get("/demos/training/").status_code == 200
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as archive:
    for i in range(20):
        image, out = Image.new("RGB", (40, 40), (i * 10, 0, 0)), io.BytesIO()
        image.save(out, "PNG")
        archive.writestr(f"p{i}.png", out.getvalue())
zipped = SimpleUploadedFile("p.zip", buffer.getvalue(), "application/zip")
assert client.post("/demos/training/", {"photos": zipped}).status_code == 302
print("torch" in sys.modules, "numpy" in sys.modules)
"""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings",
               VAR_DIR=str(tmp_path))  # its own SQLite file and broker folders
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    torch_loaded = out.stdout.split()[-2]
    assert torch_loaded == "False"
