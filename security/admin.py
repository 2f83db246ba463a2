"""Administrators lift sign-in locks from the Users list (an action), audited as theirs."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from security.throttle import sign_in_unlock

User = get_user_model()


@admin.action(description=gettext_lazy("Unlock sign-in (clear failed attempts)"), permissions=["change"])
def unlock_sign_in(modeladmin, request, queryset):
    for user in queryset:
        sign_in_unlock(username=user.get_username(), actor=request.user)
    messages.success(request, _("Sign-in unlocked for %(count)d account(s).") % {"count": queryset.count()})


class VouchUserAdmin(UserAdmin):
    actions = [*UserAdmin.actions, unlock_sign_in]


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, VouchUserAdmin)
