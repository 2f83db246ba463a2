#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vouch.settings")
    from django.core.management import execute_from_command_line

    from vouch.env import ConfigurationError

    try:
        execute_from_command_line(sys.argv)
    except ConfigurationError as exc:  # the message names every variable at fault: a traceback adds nothing
        sys.exit(str(exc))
