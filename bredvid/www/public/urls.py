"""Public URLs: `/kommuner/` lists the municipalities that publish; each has its site under its slug.

Mounted last in config/urls.py, so a staff path always wins over a slug (and slugs are checked
against the staff paths' first segments)."""

from django.urls import include, path

from bredvid.www.public import eid, views

app_name = "public"
urlpatterns = [
    path("kommuner/", views.municipality_list, name="municipality_list"),
    # the eID broker's one redirect URI for every municipality (bredvid.www.public.eid)
    path("kommuner/e-legitimation/retur/", eid.eid_callback, name="eid_callback"),
    path("<slug:slug>/", include(views.site_urls())),
]
