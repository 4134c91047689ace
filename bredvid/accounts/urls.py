from django.urls import path

from bredvid.accounts import views

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.login_view, name="login"),
    path("logga-ut/", views.logout_view, name="logout"),
    path("tvafaktor/", views.otp_view, name="otp"),
    path("aktivera/", views.enrol_view, name="enrol"),
    path("valj-losenord/", views.first_password_view, name="first_password"),
]
