"""The public face of each municipality: its pages on the supports, the interest registration and the
application for support. Anonymous visitors only; nothing here reads a case or a supporter's file."""
