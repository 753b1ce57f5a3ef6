from django.contrib import admin

from .models import Film, FilmMatch


@admin.register(Film)
class FilmAdmin(admin.ModelAdmin):
    list_display = ["title", "release_date", "media_type", "tmdb_id", "runtime", "fetched_at"]
    list_filter = ["media_type"]
    search_fields = ["title", "original_title", "tmdb_id"]


@admin.register(FilmMatch)
class FilmMatchAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "letterboxd_uri", "outcome", "film", "score", "updated_at"]
    list_filter = ["outcome"]
    search_fields = ["title", "letterboxd_uri"]
    raw_id_fields = ["film"]
