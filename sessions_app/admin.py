from django import forms
from django.contrib import admin, messages

from enrichment import services as enrichment

from .models import Movie, Session, Viewing


class MovieCorrectionForm(forms.ModelForm):
    """The movie form plus a TMDB id to attach by hand (fetched and marked manual on save)."""

    manual_tmdb_id = forms.IntegerField(
        required=False, min_value=1, label="Set TMDB id", help_text="Fetches that film from TMDB and marks it manual."
    )
    manual_media_type = forms.ChoiceField(choices=enrichment.MediaType.choices, required=False)

    class Meta:
        model = Movie
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["public_id", "username", "status", "total_movies", "created_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["public_id", "username"]
    readonly_fields = ["public_id", "created_at", "last_accessed_at", "metadata", "warnings"]
    actions = ["reenrich_all", "retry_unmatched"]

    def _reenrich(self, request, queryset, everything: bool) -> None:
        try:
            done = [enrichment.reenrich(session, everything=everything) for session in queryset]
        except enrichment.TmdbError as exc:
            advice = "" if enrichment.credentials_configured() else f" {enrichment.OPERATOR_ADVICE}"
            self.message_user(request, f"{exc}{advice}", messages.ERROR)
            return
        queued = sum(one.films for one in done)
        busy = sum(not one.started for one in done)
        left = f" {busy} sessions were already enriching or importing and were left as they are." if busy else ""
        self.message_user(request, f"{queued} films queued for identification on TMDB.{left}")

    @admin.action(description="Re-enrich selected sessions (every film but manual corrections)")
    def reenrich_all(self, request, queryset):
        self._reenrich(request, queryset, everything=True)

    @admin.action(description="Retry unmatched films")
    def retry_unmatched(self, request, queryset):
        self._reenrich(request, queryset, everything=False)


@admin.register(Movie)
class MovieAdmin(admin.ModelAdmin):
    form = MovieCorrectionForm
    list_display = ["title", "year", "session", "match_status", "match_score", "film"]
    list_filter = ["match_status", "liked", "in_watchlist"]
    search_fields = ["title", "letterboxd_uri"]
    raw_id_fields = ["session", "film"]
    readonly_fields = [
        "match_candidates",
        "match_error",
        "match_attempts",
        "enriched_at",
        "claim_token",
        "claimed_until",
    ]
    fieldsets = [
        (None, {"fields": ["session", "title", "year", "letterboxd_uri"]}),
        (
            "From the export",
            {
                "fields": [
                    "watched",
                    "watched_date",
                    "rating",
                    "rated_date",
                    "liked",
                    "in_watchlist",
                    "viewing_count",
                    "rewatch_count",
                    "first_watched",
                    "last_watched",
                ]
            },
        ),
        (
            "TMDB",
            {
                "fields": [
                    "manual_tmdb_id",
                    "manual_media_type",
                    "film",
                    "match_status",
                    "match_score",
                    "match_candidates",
                    "match_error",
                    "match_attempts",
                    "enriched_at",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        tmdb_id = form.cleaned_data.get("manual_tmdb_id")
        if tmdb_id:
            try:
                enrichment.set_manual_match(
                    obj, tmdb_id, form.cleaned_data.get("manual_media_type") or enrichment.MediaType.MOVIE
                )
            except enrichment.TmdbError as exc:
                self.message_user(request, str(exc), messages.ERROR)


@admin.register(Viewing)
class ViewingAdmin(admin.ModelAdmin):
    list_display = ["movie", "watched_date", "rating", "rewatch"]
    raw_id_fields = ["session", "movie"]
    search_fields = ["movie__title", "entry_uri"]
