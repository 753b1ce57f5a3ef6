from django.urls import path

from . import status

urlpatterns = [
    path("", status.status_page, name="ops-status"),
    path("retry/<int:session_pk>/", status.retry_failed, name="ops-retry-failed"),
]
