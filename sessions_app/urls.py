from django.urls import path

from . import review_views, views

app_name = "sessions_app"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("demo/sample/", views.demo_sample, name="demo_sample"),
    path("s/<uuid:public_id>/", views.session_page, name="session"),
    path("s/<uuid:public_id>/upload/", views.upload_into, name="upload"),
    path("s/<uuid:public_id>/kinds/", views.kinds_switch, name="kinds"),
    path("s/<uuid:public_id>/progress/", views.progress, name="progress"),
    path("s/<uuid:public_id>/films/", views.films, name="films"),
    path("s/<uuid:public_id>/films/<int:movie_id>/", views.film, name="film"),
    path("s/<uuid:public_id>/people/<str:kind>/", views.people, name="people"),
    # a key is a TMDB person id; <path:> so that any key, even one holding a slash, has an address
    path("s/<uuid:public_id>/people/<str:kind>/<path:key>/", views.person, name="person"),
    path("s/<uuid:public_id>/watchlist/", views.watchlist, name="watchlist"),
    path("s/<uuid:public_id>/lists/", views.lists_index, name="lists"),
    path("s/<uuid:public_id>/lists/<str:slug>/", views.list_page, name="list"),
    path("s/<uuid:public_id>/unmatched/", views.unmatched, name="unmatched"),
    path("s/<uuid:public_id>/review/", review_views.review, name="review"),
    path("s/<uuid:public_id>/review/<int:year>/", review_views.review, name="review_year"),
    path("s/<uuid:public_id>/share/", review_views.share_create, name="share_create"),
    path("s/<uuid:public_id>/share/<str:token>/revoke/", review_views.share_revoke, name="share_revoke"),
    path("s/<uuid:public_id>/compare/", review_views.compare_page, name="compare"),
    # public: a share link's summary and its image, by token only
    path("share/<str:token>/", review_views.shared_review, name="shared"),
    path("share/<str:token>/<int:year>/", review_views.shared_review, name="shared_year"),
    path("share/<str:token>/card.png", review_views.share_image, name="share_image"),
    path("share/<str:token>/<int:year>/card.png", review_views.share_image, name="share_image_year"),
]
