"""The map of sites, graves and hazard areas, drawn from the stored geometries."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from homecoming.services.web_queries import map_features
from homecoming.web.app import render
from homecoming.web.security import Context, route

router = APIRouter()


@route(router, "GET", "/map", "records.view")
def map_page(ctx: Context) -> Response:
    with ctx.db.session() as session:
        layers = map_features(session)
    counts = {name: len(layer["features"]) for name, layer in layers.items()}
    return render(ctx, "map.html", counts=counts)


@route(router, "GET", "/map/features.geojson", "records.view")
def map_data(ctx: Context) -> Response:
    with ctx.db.session() as session:
        layers = map_features(session)
    return JSONResponse(layers, media_type="application/geo+json")
