from django.shortcuts import render


def home(request):
    return render(request, "sessions_app/home.html")
