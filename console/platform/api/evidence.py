"""API router: evidence (being written as part of issue #3)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
