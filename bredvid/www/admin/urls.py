from django.urls import path

from bredvid.www.admin import agreement_template, rate_views, views

app_name = "municipal_admin"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("anvandare/", views.user_list, name="user_list"),
    path("anvandare/bjud-in/", views.user_invite, name="user_invite"),
    path("anvandare/<int:user_id>/", views.user_detail, name="user_detail"),
    path("anvandare/<int:user_id>/ny-roll/", views.user_grant, name="user_grant"),
    path("anvandare/<int:user_id>/ny-inbjudan/", views.user_invite_again, name="user_invite_again"),
    path(
        "anvandare/<int:user_id>/tvafaktor/", views.user_reset_second_factor, name="user_reset_second_factor"
    ),
    path("anvandare/<int:user_id>/inaktivera/", views.user_deactivate, name="user_deactivate"),
    path("roller/<uuid:membership_id>/avsluta/", views.membership_end, name="membership_end"),
    path("enheter/", views.unit_list, name="unit_list"),
    path("enheter/ny/", views.unit_create, name="unit_create"),
    path("enheter/<uuid:unit_id>/", views.unit_edit, name="unit_edit"),
    path("enheter/<uuid:unit_id>/avsluta/", views.unit_close, name="unit_close"),
    path("installningar/", views.settings_edit, name="settings"),
    path("texter/", views.text_list, name="text_list"),
    path("avtalsmall/", agreement_template.agreement_template, name="agreement_template"),
    path("texter/<str:page>/<str:language>/", views.text_edit, name="text_edit"),
    path("texter/<str:page>/<str:language>/aterstall/", views.text_reset, name="text_reset"),
    *rate_views.urls(),
]
