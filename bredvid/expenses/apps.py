from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    name = "bredvid.expenses"
    label = "expenses"
