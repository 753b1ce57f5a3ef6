from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("admin/status/", include("ops.urls")),  # before admin/, which would take the path for a model
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the split view serves its start-up script as a file: the CSP allows no inline script
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("sessions_app.api_urls")),
    path("", include("sessions_app.urls")),
]

handler404 = "lbstats.errors.not_found"
handler500 = "lbstats.errors.server_error"
