from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from bredvid.api.urls import api
from bredvid.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("bredvid.core.i18n_urls")),
    path("konto/", include("bredvid.accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("administration/", include("bredvid.www.admin.urls")),
    path("", include("bredvid.www.staff.urls")),
    path("", include("bredvid.www.public.urls")),
]

if settings.OIDC_ENABLED:
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))
