from rest_framework import serializers

from enrichment import services as enrichment

from .downloads import MOVIE_FIELDS, VIEWING_FIELDS
from .models import Movie, Session, Viewing


class UploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        allow_empty=True,
        required=False,
        help_text="One Letterboxd export ZIP, or one or more of its CSV files.",
    )


class SessionUploadSerializer(UploadSerializer):
    replace = serializers.BooleanField(
        default=False,
        help_text="Load the export even if it is older than the one the session holds (by newest diary or watched date).",
    )


class UploadRecordSerializer(serializers.Serializer):
    """One entry of a session's upload history."""

    at = serializers.DateTimeField()
    files = serializers.ListField(child=serializers.DictField())
    films = serializers.IntegerField()
    entries = serializers.IntegerField()
    newest_date = serializers.DateField(allow_null=True)
    replaced = serializers.BooleanField()
    since_last = serializers.DictField(child=serializers.IntegerField(), allow_null=True)


class SessionUploadResultSerializer(serializers.ModelSerializer):
    session_id = serializers.UUIDField(source="public_id")
    upload = UploadRecordSerializer(source="last_upload")

    class Meta:
        model = Session
        fields = ["session_id", "status", "total_movies", "upload", "warnings"]


class UploadResultSerializer(serializers.ModelSerializer):
    session_id = serializers.UUIDField(source="public_id")
    created_at = serializers.DateTimeField()

    class Meta:
        model = Session
        fields = ["session_id", "status", "import_phase", "total_movies", "created_at", "warnings"]


class SessionSerializer(serializers.ModelSerializer):
    session_id = serializers.UUIDField(source="public_id")
    viewing_count = serializers.IntegerField(source="viewings.count")
    enrichment = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "session_id",
            "status",
            "username",
            "total_movies",
            "viewing_count",
            "error_message",
            "enrichment",
            "created_at",
            "last_accessed_at",
            "expires_at",
            "metadata",
            "warnings",
            "uploads",
        ]

    def get_enrichment(self, session: Session) -> dict:
        return enrichment.enrichment_state(session)


class SessionStatusSerializer(serializers.Serializer):
    session_id = serializers.UUIDField()
    status = serializers.CharField()
    total_movies = serializers.IntegerField()
    enriched_count = serializers.IntegerField()
    progress_percent = serializers.FloatField()
    error_message = serializers.CharField()
    import_phase = serializers.ChoiceField(
        choices=["", *Session.ImportPhase.values],
        help_text="A large upload's import by a worker: queued, reading, storing, or failed; empty once stored",
    )
    import_progress = serializers.CharField(help_text="Where that import stands, in words")
    match_counts = serializers.DictField(child=serializers.IntegerField())


def film_field(field_class, name: str, **kwargs):
    """A movie's TMDB value, read from its Film (None, or [] for lists, until it is identified)."""
    return field_class(source=f"film.{name}", read_only=True, allow_null=True, **kwargs)


class MovieSerializer(serializers.ModelSerializer):
    tmdb_id = film_field(serializers.IntegerField, "tmdb_id")
    media_type = film_field(serializers.CharField, "media_type")
    tmdb_title = film_field(serializers.CharField, "title")
    original_title = film_field(serializers.CharField, "original_title")
    release_date = film_field(serializers.DateField, "release_date")
    genres = film_field(serializers.ListField, "genres", child=serializers.CharField())
    directors = film_field(serializers.ListField, "directors", child=serializers.DictField())
    cast = film_field(serializers.ListField, "cast", child=serializers.DictField())
    runtime = film_field(serializers.IntegerField, "runtime")
    budget = film_field(serializers.IntegerField, "budget")
    revenue = film_field(serializers.IntegerField, "revenue")
    popularity = film_field(serializers.FloatField, "popularity")
    vote_average = film_field(serializers.FloatField, "vote_average")
    vote_count = film_field(serializers.IntegerField, "vote_count")
    original_language = film_field(serializers.CharField, "original_language")
    spoken_languages = film_field(serializers.ListField, "spoken_languages", child=serializers.DictField())
    countries = film_field(serializers.ListField, "production_countries", child=serializers.DictField())
    poster_path = film_field(serializers.CharField, "poster_path")
    imdb_id = film_field(serializers.CharField, "imdb_id")

    class Meta:
        model = Movie
        fields = [
            "id",
            *MOVIE_FIELDS,
            "match_score",
            "match_candidates",
            "match_error",
            "match_attempts",
            "enriched_at",
            "tmdb_id",
            "media_type",
            "tmdb_title",
            "original_title",
            "release_date",
            "genres",
            "directors",
            "cast",
            "runtime",
            "budget",
            "revenue",
            "popularity",
            "vote_average",
            "vote_count",
            "original_language",
            "spoken_languages",
            "countries",
            "poster_path",
            "imdb_id",
        ]
        read_only_fields = fields


class MovieCorrectionSerializer(serializers.Serializer):
    tmdb_id = serializers.IntegerField(min_value=1, help_text="The TMDB id to attach to this film.")
    media_type = serializers.ChoiceField(choices=enrichment.MediaType.choices, default=enrichment.MediaType.MOVIE)


class ReenrichSerializer(serializers.Serializer):
    all = serializers.BooleanField(
        default=False, help_text="Re-identify every film, not only unmatched and failed ones."
    )


class ViewingSerializer(serializers.ModelSerializer):
    movie_id = serializers.IntegerField()
    title = serializers.CharField(source="movie.title")
    year = serializers.IntegerField(source="movie.year", allow_null=True)

    class Meta:
        model = Viewing
        fields = [
            "id",
            "movie_id",
            "title",
            "year",
            *VIEWING_FIELDS,
        ]
