from django.urls import path

from . import views

app_name = "sessions_app"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("demo/sample/", views.demo_sample, name="demo_sample"),
    path("s/<uuid:public_id>/", views.session_page, name="session"),
    path("s/<uuid:public_id>/upload/", views.upload_into, name="upload"),
    path("s/<uuid:public_id>/progress/", views.progress, name="progress"),
    path("s/<uuid:public_id>/films/", views.films, name="films"),
    path("s/<uuid:public_id>/films/<int:movie_id>/", views.film, name="film"),
    path("s/<uuid:public_id>/people/<str:kind>/", views.people, name="people"),
    # a key is a TMDB person id; <path:> so that any key, even one holding a slash, has an address
    path("s/<uuid:public_id>/people/<str:kind>/<path:key>/", views.person, name="person"),
    path("s/<uuid:public_id>/unmatched/", views.unmatched, name="unmatched"),
]
