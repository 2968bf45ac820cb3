from django.urls import path

from stepcare.audit import views

urlpatterns = [path("", views.audit_log, name="audit-log")]
