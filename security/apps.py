from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = "Security"

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from security import throttle

        user_login_failed.connect(throttle.on_sign_in_failed, dispatch_uid="security.sign_in_failed")
        user_locked_out.connect(throttle.on_locked_out, dispatch_uid="security.locked_out")
        user_logged_in.connect(throttle.on_signed_in, dispatch_uid="security.signed_in")
