"""Matching routes of API v1: support requests, their shortlists, and offers to supporters."""

from ninja import Router

from bredvid.api.matching import offers, requests, shortlist

router = Router()
for module in (requests, shortlist, offers):
    router.add_router("", module.router)
