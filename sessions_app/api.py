"""The JSON API (DRF, browsable). Sessions are reached only through their UUID; nothing lists them."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFilesSent
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from enrichment import services as enrichment
from lbstats.throttling import ScopedThrottle
from lbstats.uploads import CUT_SHORT, cut_short

from . import downloads, stats
from .filters import MovieFilter
from .importing import import_upload, uploaded
from .letterboxd import ExportError
from .models import Session
from .serializers import (
    MovieCorrectionSerializer,
    MovieSerializer,
    ReenrichSerializer,
    SessionSerializer,
    SessionStatusSerializer,
    SessionUploadResultSerializer,
    SessionUploadSerializer,
    UploadResultSerializer,
    UploadSerializer,
    ViewingSerializer,
)
from .stats.plain import plain, schema
from .stats.sections import Dashboard
from .stats.watchlist import Watchlist, watchlist
from .updating import OlderExport, update_from_upload
from .visits import visit


def exception_handler(exc, context):
    """DRF's handler, plus Django's upload limits turned into 400s with a message instead of a bare error page."""
    if isinstance(exc, TooManyFilesSent):
        exc = ValidationError({"detail": f"Too many files; upload at most {settings.UPLOAD_MAX_FILES}."})
    elif isinstance(exc, (RequestDataTooBig, SuspiciousOperation)):
        exc = ValidationError({"detail": "The upload could not be read: it is too large or malformed."})
    return drf_exception_handler(exc, context)


def bad_request(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


class ApiIndexView(APIView):
    """The API's front door: every endpoint, and where its schema and documentation are."""

    @extend_schema(exclude=True)
    def get(self, request):
        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        # a URI template, as written: build_absolute_uri() would percent-encode its braces
        session = request.build_absolute_uri("/api/session/") + "{session_id}"
        return Response(
            {
                "upload": url("api:upload"),
                "session": session,
                "status": f"{session}/status",
                "movies": f"{session}/movies",
                "movie": f"{session}/movies/{{movie_id}}",
                "viewings": f"{session}/viewings",
                "reenrich": f"{session}/reenrich",
                "stats": f"{session}/stats",
                "films_csv": f"{session}/download/films.csv",
                "diary_csv": f"{session}/download/diary.csv",
                "library_json": f"{session}/download/library.json",
                "schema": url("api-schema"),
                "documentation": url("api-docs"),
            }
        )


class UploadView(generics.CreateAPIView):
    """Upload a Letterboxd export: one ZIP, or one or more of its CSVs, in the multipart field `files`."""

    serializer_class = UploadSerializer
    throttle_classes = [ScopedThrottle]
    throttle_scope = "uploads"

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={
            201: UploadResultSerializer,
            202: OpenApiResponse(
                UploadResultSerializer,
                description="A large upload, checked and queued: a worker imports it (`import_phase` at /status)",
            ),
            400: OpenApiResponse(description="The upload cannot be imported"),
        },
    )
    def post(self, request, *args, **kwargs):
        files = request.FILES.getlist("files")
        if cut_short(request):
            return bad_request(CUT_SHORT)
        try:
            session = import_upload([uploaded(f) for f in files])
        except ExportError as exc:
            return bad_request(str(exc))
        session.refresh_from_db(fields=["status"])  # enrichment may have started on commit
        # a large upload is imported by a worker: accepted, its progress at /status
        answer = status.HTTP_202_ACCEPTED if session.importing else status.HTTP_201_CREATED
        return Response(UploadResultSerializer(session).data, status=answer)


class SessionUploadView(APIView):
    """Load a newer export of the same person into this session (multipart field `files`, and `replace`
    to accept an older one): its films, diary, ratings, likes, watchlist and lists become the export's,
    identifications of films that stay are kept, and only new films go to TMDB."""

    throttle_classes = [ScopedThrottle]
    throttle_scope = "uploads"

    @extend_schema(
        request={"multipart/form-data": SessionUploadSerializer},
        responses={
            200: SessionUploadResultSerializer,
            400: OpenApiResponse(description="The upload cannot be imported; the session is unchanged"),
            409: OpenApiResponse(description="The export is older than the session's (send replace=true)"),
        },
    )
    def post(self, request, session_id):
        session = visit(session_id)
        options = SessionUploadSerializer(data={"replace": request.data.get("replace", False)})
        options.is_valid(raise_exception=True)
        files = request.FILES.getlist("files")
        if cut_short(request):
            return bad_request(CUT_SHORT)
        try:
            update_from_upload(session, [uploaded(f) for f in files], options.validated_data["replace"])
        except ExportError as exc:
            return bad_request(str(exc))
        except OlderExport as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        session.refresh_from_db()
        return Response(SessionUploadResultSerializer(session).data)


class SessionDetailView(generics.RetrieveAPIView):
    serializer_class = SessionSerializer

    def get_object(self):
        return visit(self.kwargs["session_id"])


class SessionStatusView(APIView):
    """Progress of a session, from the counts kept beside it: one row read by its key, whatever the
    session's size, so cheap enough to poll every second."""

    @extend_schema(responses=SessionStatusSerializer)
    def get(self, request, session_id):
        session = visit(session_id, fields=Session.STATUS_FIELDS)
        return Response(session.status_payload(session.counts_as_read()))


class MoviePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "per_page"
    max_page_size = 500


class SessionListView(generics.ListAPIView):
    """One session's rows, paginated: subclasses say which in `rows()`."""

    pagination_class = MoviePagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no session in the URL
            return self.serializer_class.Meta.model.objects.none()
        return self.rows(visit(self.kwargs["session_id"]))

    def rows(self, session: Session):
        raise NotImplementedError


class SessionMoviesView(SessionListView):
    serializer_class = MovieSerializer
    filterset_class = MovieFilter

    def rows(self, session: Session):
        return session.movies.select_related("film")


class MovieDetailView(generics.RetrieveAPIView):
    """One film; PATCH `tmdb_id` (and `media_type`) to attach a TMDB film by hand: it is fetched and marked manual."""

    serializer_class = MovieSerializer
    throttle_scope = "corrections"

    def get_throttles(self):
        return [ScopedThrottle()] if self.request.method == "PATCH" else []  # reading a film costs nothing

    def get_object(self):
        session = visit(self.kwargs["session_id"])
        return get_object_or_404(session.movies.select_related("film"), pk=self.kwargs["movie_id"])

    @extend_schema(request=MovieCorrectionSerializer, responses=MovieSerializer)
    def patch(self, request, session_id, movie_id):
        movie = self.get_object()
        correction = MovieCorrectionSerializer(data=request.data)
        correction.is_valid(raise_exception=True)
        try:
            movie = enrichment.set_manual_match(
                movie, correction.validated_data["tmdb_id"], correction.validated_data["media_type"]
            )
        except enrichment.TmdbTooSlow as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_504_GATEWAY_TIMEOUT)
        except enrichment.TmdbError as exc:
            return bad_request(str(exc))
        return Response(MovieSerializer(movie).data)


class ReenrichView(APIView):
    """Identify the session's unmatched and failed films again (`all=true`: every film except manual ones)."""

    throttle_classes = [ScopedThrottle]
    throttle_scope = "reenrich"

    @extend_schema(
        request=ReenrichSerializer,
        responses={
            202: OpenApiResponse(
                SessionStatusSerializer, description="Started: the films are queued (`detail` says how many)"
            ),
            200: OpenApiResponse(
                SessionStatusSerializer, description="Nothing changed: a re-enrichment is queued or running (`detail`)"
            ),
            400: OpenApiResponse(description="TMDB enrichment is off"),
        },
    )
    def post(self, request, session_id):
        session = visit(session_id)
        options = ReenrichSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        try:
            done = enrichment.reenrich(session, everything=options.validated_data["all"])
        except enrichment.TmdbError as exc:
            return bad_request(str(exc))
        session.refresh_from_db()
        answer = status.HTTP_202_ACCEPTED if done.started else status.HTTP_200_OK
        return Response({"detail": done.message, **session.status_payload()}, status=answer)


class SessionViewingsView(SessionListView):
    serializer_class = ViewingSerializer

    def rows(self, session: Session):
        return session.viewings.select_related("movie").order_by("watched_date", "logged_date", "id")


STATISTICS_SCHEMA = {
    "type": "object",
    "properties": {
        "session_id": {"type": "string", "format": "uuid"},
        "dashboard": {
            **schema(Dashboard),
            "description": "The dashboard's sections, exactly as the page shows them (the year's, with ?year=).",
        },
        "watchlist": {**schema(Watchlist), "description": "The watchlist page: the watchlist analysed, and the picks."},
    },
    "required": ["session_id", "dashboard", "watchlist"],
}


class SessionStatsView(APIView):
    """The dashboard's figures as JSON: the very objects the dashboard page renders (all time, or a year in
    review with `?year=`), and the watchlist page's."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=False, description="A year of the diary (one of `dashboard.years`)")
        ],
        responses={
            200: OpenApiResponse(response=STATISTICS_SCHEMA, description="The statistics"),
            400: OpenApiResponse(description="The year is not a number"),
            404: OpenApiResponse(description="No such session, or no diary entries in that year"),
        },
    )
    def get(self, request, session_id):
        session = visit(session_id)
        text = request.query_params.get("year", "").strip()
        year = None
        if text:
            if not text.isdigit():
                return bad_request(f"year must be a year such as 2024, not {text[:20]!r}.")
            year = int(text)
            years = stats.cached_dashboard(session).years
            if year not in years:
                held = ", ".join(map(str, years)) or "none"
                return Response(
                    {"detail": f"Your diary has no entries in {year}. Years with entries: {held}."},
                    status=status.HTTP_404_NOT_FOUND,
                )
        return Response(
            {
                "session_id": session.public_id,
                "dashboard": plain(stats.cached_dashboard(session, year)),
                "watchlist": plain(watchlist(session)),
            }
        )


DOWNLOADS = {
    "films.csv": (downloads.films_csv, "text/csv; charset=utf-8"),
    "diary.csv": (downloads.diary_csv, "text/csv; charset=utf-8"),
    "library.json": (downloads.library_json, "application/json"),
}


class DownloadView(APIView):
    """Your enriched library as a file, streamed: `films.csv` (every film, the export's fields then TMDB's),
    `diary.csv` (every diary entry) or `library.json` (every film with its diary entries)."""

    renderer_classes = [JSONRenderer]  # for the errors; the files stream their own bodies
    name = ""  # set per URL: a key of DOWNLOADS

    def perform_content_negotiation(self, request, force=False):
        # a client asking for text/csv gets the file, or an error in JSON, rather than 406
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, session_id):
        session = visit(session_id)
        produce, content_type = DOWNLOADS[self.name]
        response = StreamingHttpResponse(produce(session), content_type=content_type)
        stem = session.username or "letterboxd"
        response["Content-Disposition"] = f'attachment; filename="lbstats-{stem}-{self.name}"'
        return response


def download_view(name: str):
    """DownloadView for one file, documented in the schema with its own media type."""
    media_type = DOWNLOADS[name][1].split(";")[0]
    body = OpenApiTypes.STR if media_type == "text/csv" else OpenApiTypes.OBJECT

    class OneDownload(DownloadView):
        @extend_schema(
            operation_id=f"session_download_{name.replace('.', '_')}",
            responses={(200, media_type): body, 404: OpenApiResponse(description="No such session")},
        )
        def get(self, request, session_id):
            return super().get(request, session_id)

    OneDownload.name = name
    OneDownload.__doc__ = DownloadView.__doc__
    return OneDownload.as_view()
