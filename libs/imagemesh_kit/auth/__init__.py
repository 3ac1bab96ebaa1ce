"""Token verification shared by every service."""
