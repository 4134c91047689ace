from django.urls import path

from bredvid.www.staff import (
    agreement_views,
    assignment_views,
    casework_views,
    deadline_views,
    eapplication_views,
    expense_views,
    ivo_views,
    matching_views,
    payment_views,
    supporter_views,
    views,
)

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("valj-kommun/", views.choose_municipality, name="choose_municipality"),
    path("personer/", views.person_list, name="person_list"),
    path("personer/ny/", views.person_create, name="person_create"),
    path("personer/<uuid:person_id>/", views.person_detail, name="person_detail"),
    path("personer/<uuid:person_id>/andra/", views.person_edit, name="person_edit"),
    path("personer/<uuid:person_id>/vardnadshavare/", views.person_add_guardian, name="person_add_guardian"),
    path(
        "personer/<uuid:person_id>/namngiven-personal/", views.person_named_staff, name="person_named_staff"
    ),
    path("logg/", views.audit_log, name="audit_log"),
    path("logg/export/", views.audit_export, name="audit_export"),
    *casework_views.urls(),
    *eapplication_views.urls(),
    *deadline_views.urls(),
    *ivo_views.urls(),
    *supporter_views.urls(),
    *matching_views.urls(),
    *payment_views.urls(),
    *agreement_views.urls(),
    *expense_views.urls(),
    *assignment_views.urls(),
]
