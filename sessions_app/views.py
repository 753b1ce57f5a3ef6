"""Server-rendered pages: upload, the session dashboard and its progress fragment, film explorer, fixes.

Every page works without JavaScript; htmx only replaces a full-page refresh by a fragment poll.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_safe

from enrichment import services as enrichment
from enrichment.matching import MatchStatus
from enrichment.models import Film, FilmFacet
from lbstats.throttling import throttled
from lbstats.uploads import CUT_SHORT, cut_short

from . import explorer, stats
from .filters import ExplorerFilter
from .importing import import_upload, uploaded
from .letterboxd import FIRST_YEAR, LAST_YEAR, ExportError
from .models import Movie, Session
from .stats.definitions import MIN_VOTES
from .stats.lists import film_list, lists
from .stats.watchlist import watchlist as analyse_watchlist
from .updating import OlderExport, update_from_upload
from .visits import visit

FILMS_PER_PAGE = 48
UNMATCHED_PER_PAGE = 20
PEOPLE_PER_PAGE = 100
# A TMDB id, or a TMDB page address or path: https://www.themoviedb.org/movie/603-the-matrix, /tv/1399
TMDB_REFERENCE_RE = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?themoviedb\.org)?/?(?:(?P<media_type>movie|tv)/)?(?P<tmdb_id>\d+)(?:-[^/?#]*)?/?(?:[?#].*)?$"
)
POLLING = (Session.Status.PROCESSING, Session.Status.ENRICHING)
# The export the demo's home page offers in one click: a made-up viewer's CSVs, as Letterboxd writes them.
SAMPLE_EXPORT = Path(__file__).resolve().parent / "demo" / "sample-export"


def parse_tmdb_reference(text: str) -> tuple[int, str] | None:
    """(tmdb_id, media_type) from a pasted id or TMDB address; a bare id means a movie."""
    match = TMDB_REFERENCE_RE.match(text.strip())
    if not match:
        return None
    return int(match["tmdb_id"]), match["media_type"] or enrichment.MediaType.MOVIE


def _year(request: HttpRequest) -> int | None:
    """The year in review asked for (`?year=`), if it is one a diary can hold."""
    year = request.GET.get("year", "")
    return int(year) if year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR else None


@require_http_methods(["GET", "HEAD", "POST"])
@throttled("uploads")
def home(request: HttpRequest) -> HttpResponse:
    context = {"lifetime_days": settings.SESSION_LIFETIME_DAYS}
    if request.method != "POST":
        return render(request, "sessions_app/home.html", context)
    files = request.FILES.getlist("files")
    if cut_short(request):
        error = CUT_SHORT
    elif not files:
        error = "Choose your Letterboxd export first: the ZIP file as downloaded, or the CSV files from it."
    else:
        try:
            session = import_upload([uploaded(f) for f in files])
        except ExportError as exc:
            error = str(exc)
        else:
            return redirect("sessions_app:session", public_id=session.public_id)
    return render(request, "sessions_app/home.html", {**context, "error": error}, status=400)


@require_http_methods(["POST"])
@throttled("uploads")
def demo_sample(request: HttpRequest) -> HttpResponse:
    """Demo mode only: the bundled sample export, imported as a new session like any upload."""
    if not settings.LBSTATS_DEMO:
        raise Http404("The sample export is offered in demo mode only.")
    with ExitStack() as files:
        uploads = [
            (path.name, files.enter_context(path.open("rb")), path.stat().st_size)
            for path in sorted(SAMPLE_EXPORT.rglob("*.csv"))
        ]
        session = import_upload(uploads)
    return redirect("sessions_app:session", public_id=session.public_id)


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "sessions_app/about.html", {"lifetime_days": settings.SESSION_LIFETIME_DAYS})


@require_safe
def session_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _dashboard_page(request, visit(public_id))


@require_http_methods(["POST"])
def upload_into(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The dashboard's form: a newer export of the same person, loaded into this session."""
    session = visit(public_id)
    files = request.FILES.getlist("files")
    if cut_short(request):
        return _dashboard_page(request, session, upload_error=CUT_SHORT, status=400)
    if not files:
        return _dashboard_page(request, session, upload_error="Choose your newer Letterboxd export first.", status=400)
    try:
        update_from_upload(session, [uploaded(f) for f in files], replace=bool(request.POST.get("replace")))
    except ExportError as exc:
        return _dashboard_page(request, session, upload_error=str(exc), status=400)
    except OlderExport as exc:
        return _dashboard_page(request, session, upload_error=str(exc), status=409)
    messages.success(request, "Your new export is in. What changed since your last upload is below.")
    return redirect(reverse("sessions_app:session", args=[session.public_id]) + "#uploads")


@require_http_methods(["POST"])
def kinds_switch(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The dashboard's switch: leave TV series and shorts out of every figure, or count them again."""
    session = visit(public_id)
    leave_out = request.POST.get("leave_out") == "true"
    Session.objects.filter(pk=session.pk).update(leave_out_tv_shorts=leave_out)
    year = _year(request)
    return redirect(
        reverse("sessions_app:session", args=[session.public_id]) + (f"?year={year}" if year else "") + "#kinds"
    )


def _dashboard_page(request: HttpRequest, session: Session, upload_error: str = "", status: int = 200) -> HttpResponse:
    year = _year(request)
    key = stats.dashboard_key(session, year)
    return render(
        request,
        "sessions_app/session.html",
        {
            "session": session,
            "progress": session.progress(),
            "polling": session.status in POLLING,
            "enrichment": enrichment.enrichment_state(session),
            "year": year,
            # The rendered dashboard is cached under `key` too: the statistics are loaded only on a miss.
            "dashboard_key": key,
            "dashboard_cache_seconds": stats.DASHBOARD_CACHE_SECONDS,
            "dashboard": SimpleLazyObject(lambda: stats.cached_dashboard(session, year, key)),
            "min_rated": stats.MIN_RATED,
            "min_votes": MIN_VOTES,
            "leave_out_tv_shorts": session.leave_out_tv_shorts,
            "upload_error": upload_error,
        },
        status=status,
    )


@require_safe
def progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    session = visit(public_id)
    polling = session.status in POLLING
    # a page that showed an import in the background wants the dashboard once the rows are in
    imported = bool(request.GET.get("importing")) and not session.importing
    if (not polling or imported) and request.headers.get("HX-Request"):
        # Enrichment just ended under a polling page: swap the finished dashboard into it, in place
        # (no reload), so the TMDB statistics appear where the person is looking.
        response = _dashboard_page(request, session)
        response["HX-Retarget"] = "main"
        response["HX-Reselect"] = "main"
        response["HX-Reswap"] = "outerHTML"
        return response
    # the year keeps riding along, so the dashboard swapped in at the end is the one on the page
    context = {"session": session, "progress": session.progress(), "polling": polling, "year": _year(request)}
    return render(request, "sessions_app/_progress.html", context)


@require_safe
def films(request: HttpRequest, public_id: UUID) -> HttpResponse:
    session = visit(public_id)
    movie_filter = ExplorerFilter(request.GET, queryset=session.movies.select_related("film"))
    page = Paginator(movie_filter.qs, FILMS_PER_PAGE).get_page(request.GET.get("page"))
    state = enrichment.enrichment_state(session)
    context = {
        "session": session,
        "filter": movie_filter,
        "page": page,
        "scope_sentence": stats.scope_sentence(movie_filter.chosen_scope(), movie_filter.diary_condition()),
        "form": explorer.form_context(session, request.GET, tmdb_known=state["enabled"]),
        "top_billed": stats.TOP_BILLED,
        "enrichment": state,
    }
    return render(request, "sessions_app/films.html", context)


@require_safe
def people(request: HttpRequest, public_id: UUID, kind: str) -> HttpResponse:
    if kind not in (FilmFacet.Kind.DIRECTOR, FilmFacet.Kind.ACTOR):
        raise Http404("No such index.")
    session = visit(public_id)
    page = Paginator(stats.people_index(session, kind), PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "sessions_app/people.html",
        {
            "session": session,
            "kind": kind,
            "page": page,
            "top_billed": stats.TOP_BILLED,
            "enrichment": enrichment.enrichment_state(session),
        },
    )


@require_safe
def film(request: HttpRequest, public_id: UUID, movie_id: int) -> HttpResponse:
    """One film of the upload: your viewings, rating, reviews and tags, and what TMDB says of it."""
    session = visit(public_id)
    movie = stats.vocabulary.movie_of(session, movie_id)
    if movie is None:
        raise Http404("No such film in this upload.")
    viewings = movie.viewings.order_by("watched_date", "diary_row", "id")  # as the diary lists them
    return render(
        request,
        "sessions_app/film.html",
        {"session": session, "movie": movie, "viewings": viewings, "top_billed": stats.TOP_BILLED},
    )


@require_safe
def person(request: HttpRequest, public_id: UUID, kind: str, key: str) -> HttpResponse:
    """A director or actor: your films with them, as the dashboard counts them, and your average."""
    if kind not in (FilmFacet.Kind.DIRECTOR, FilmFacet.Kind.ACTOR):
        raise Http404("No such index.")
    session = visit(public_id)
    someone = stats.vocabulary.person(session, kind, key)
    if someone is None:
        raise Http404("Nobody by that id in this upload.")
    return render(
        request,
        "sessions_app/person.html",
        {"session": session, "person": someone, "top_billed": stats.TOP_BILLED},
    )


@require_safe
def watchlist(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The watchlist analysed, and its unwatched films ranked by the rating you would probably give them."""
    session = visit(public_id)
    w = analyse_watchlist(session)
    groups = [("Decades", w.decades, "decade"), ("Genres", w.genres, "genre"), ("Countries", w.countries, "country")]
    return render(request, "sessions_app/watchlist.html", {"session": session, "watchlist": w, "w_groups": groups})


@require_safe
def lists_index(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Every list of the export, with how much of each you have watched."""
    session = visit(public_id)
    return render(request, "sessions_app/lists.html", {"session": session, "lists": lists(session)})


@require_safe
def list_page(request: HttpRequest, public_id: UUID, slug: str) -> HttpResponse:
    """One list, in its own order: what you have watched of it, what is left, and what it holds."""
    session = visit(public_id)
    found = film_list(session, slug)
    if found is None:
        raise Http404("No such list in this upload.")
    groups = [("Decades", found.decades), ("Genres", found.genres)]
    return render(request, "sessions_app/list.html", {"session": session, "list": found, "groups": groups})


@require_http_methods(["GET", "HEAD", "POST"])
@throttled("corrections")
def unmatched(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Films to identify: watched ones first, watchlist-only ones last, paginated; search TMDB for one and pick
    the right film in one click (in place with htmx, else a redirect back to the same page)."""
    session = visit(public_id)
    if request.method == "POST":
        return _fix(request, session)
    movies = session.movies.unmatched().select_related("film").order_by("-watched", "in_watchlist", "title", "id")
    page = Paginator(movies, UNMATCHED_PER_PAGE).get_page(request.GET.get("page"))
    searched, query, results, search_error = _search(request, session)
    if searched is not None and request.headers.get("HX-Request"):
        context = {"session": session, "movie": searched, "results": results, "error": search_error, "query": query}
        return render(request, "sessions_app/_search_results.html", context)
    for movie in page:
        movie.search_results = results if searched is not None and movie.pk == searched.pk else None
        movie.search_error = search_error if searched is not None and movie.pk == searched.pk else ""
        movie.query = query if searched is not None and movie.pk == searched.pk else ""
    counts = session.match_counts()
    context = {
        "session": session,
        "page": page,
        "unmatched_count": counts[MatchStatus.AMBIGUOUS] + counts[MatchStatus.NOT_FOUND],
        "enrichment": enrichment.enrichment_state(session),
    }
    return render(request, "sessions_app/unmatched.html", context)


def _search(request: HttpRequest, session: Session) -> tuple[Movie | None, str, list[dict], str]:
    """The TMDB search asked for one film of the page (`?search=<film>&q=<title>`): (film, query, results, error)."""
    movie_id = request.GET.get("search", "")
    if not movie_id.isdigit():
        return None, "", [], ""
    movie = get_object_or_404(session.movies, pk=movie_id)
    query = request.GET.get("q", movie.title).strip()[:200]
    try:
        return movie, query, enrichment.search(query), ""
    except enrichment.TmdbError as exc:
        return movie, query, [], str(exc)


def _fix(request: HttpRequest, session: Session) -> HttpResponse:
    movie_id = request.POST.get("movie", "")
    if not movie_id.isdigit():
        raise Http404("No such film in this upload.")
    movie = get_object_or_404(session.movies, pk=movie_id)
    reference = parse_tmdb_reference(request.POST.get("tmdb") or request.POST.get("candidate") or "")
    error, error_status = "", 400
    if reference is None:
        error = "Pick one of the suggestions, or paste a TMDB id or a themoviedb.org film or series address."
    else:
        try:
            movie = enrichment.set_manual_match(movie, reference[0], reference[1])
        except enrichment.TmdbTooSlow as exc:
            error, error_status = str(exc), 504
        except enrichment.TmdbError as exc:
            error = str(exc)
    htmx = bool(request.headers.get("HX-Request"))
    if error:
        if htmx:
            context = {"session": session, "movie": movie, "item_error": error}
            return render(request, "sessions_app/_unmatched_item.html", context, status=error_status)
        context = {"session": session, "page": Paginator([movie], 1).get_page(1), "error": error}
        context["unmatched_count"] = session.movies.unmatched().count()
        return render(request, "sessions_app/unmatched.html", context, status=error_status)
    message = f"{movie.title} is now {film_label(movie.film)}."
    if htmx:
        return render(
            request, "sessions_app/_unmatched_done.html", {"session": session, "movie": movie, "message": message}
        )
    messages.success(request, message)
    back = reverse("sessions_app:unmatched", args=[session.public_id])
    page = request.POST.get("page", "")
    return redirect(f"{back}?page={page}#movie-{movie.pk}" if page.isdigit() else back)


def film_label(film: Film | None) -> str:
    """How the message after a fix names the film chosen: "Heat (1995), TMDB film 949"."""
    if film is None:
        return "matched"
    kind = "series" if film.media_type == enrichment.MediaType.TV else "film"
    year = f" ({film.year})" if film.year else ""
    return f"{film.title}{year}, TMDB {kind} {film.tmdb_id}"
