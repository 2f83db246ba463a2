"""Pages of the project itself, composing the apps below it."""

from django.shortcuts import render

from programs.models import Program


def home(request):
    programs = Program.objects.filter(is_active=True).order_by("name")
    return render(request, "home.html", {"programs": programs})
