from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("", api.ApiIndexView.as_view(), name="index"),
    path("upload", api.UploadView.as_view(), name="upload"),
    path("session/<uuid:session_id>", api.SessionDetailView.as_view(), name="session"),
    path("session/<uuid:session_id>/status", api.SessionStatusView.as_view(), name="session-status"),
    path("session/<uuid:session_id>/movies", api.SessionMoviesView.as_view(), name="session-movies"),
    path("session/<uuid:session_id>/movies/<int:movie_id>", api.MovieDetailView.as_view(), name="movie"),
    path("session/<uuid:session_id>/viewings", api.SessionViewingsView.as_view(), name="session-viewings"),
    path("session/<uuid:session_id>/stats", api.SessionStatsView.as_view(), name="session-stats"),
    path("session/<uuid:session_id>/download/films.csv", api.download_view("films.csv"), name="download-films"),
    path("session/<uuid:session_id>/download/diary.csv", api.download_view("diary.csv"), name="download-diary"),
    path("session/<uuid:session_id>/download/library.json", api.download_view("library.json"), name="download-library"),
    path("session/<uuid:session_id>/upload", api.SessionUploadView.as_view(), name="session-upload"),
    path("session/<uuid:session_id>/reenrich", api.ReenrichView.as_view(), name="session-reenrich"),
]
