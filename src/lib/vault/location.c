/* location.c — location for publication (docs/record.md "Location
 * precision"): with "location_precision": "coarse" in the input, the exact
 * position moves to the private field place_exact (committed to, kept in
 * the vault, never in the leaf) and the leaf gets the position rounded to a
 * 0.01-degree grid with a widened precision_m. */
#include <string.h>

#include "vault/location.h"

/* Round degrees x 10^7 to the nearest multiple of `step`, halves away from 0. */
static json_int_t round_to(json_int_t v, json_int_t step)
{
    json_int_t q = (v >= 0 ? v + step / 2 : v - step / 2) / step;
    return q * step;
}

/* transport.release_place of a coarse record (`priv` its private object):
 * its exact lat_e7/lon_e7 into private.release_place_exact, the leaf's
 * rounded. No position there: no change. */
static constat_status coarsen_release(json_t *rec, json_t *priv, constat_error *err)
{
    json_t *rp = json_object_get(json_object_get(rec, "transport"), "release_place");
    json_t *lat = json_object_get(rp, "lat_e7"), *lon = json_object_get(rp, "lon_e7"), *exact;

    if (!json_is_integer(lat) || !json_is_integer(lon))
        return CONSTAT_OK; /* none, or malformed: validation names it */
    exact = json_pack("{s:O, s:O}", "lat_e7", lat, "lon_e7", lon);
    if (!exact || json_object_set_new(priv, CONSTAT_RELEASE_PLACE_EXACT_FIELD, exact) != 0 ||
        json_object_set_new(rp, "lat_e7", json_integer(round_to(json_integer_value(lat),
                                                                CONSTAT_COARSE_GRID_E7))) ||
        json_object_set_new(rp, "lon_e7", json_integer(round_to(json_integer_value(lon),
                                                                CONSTAT_COARSE_GRID_E7))))
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    return CONSTAT_OK;
}

constat_status constat_location_apply(json_t *rec, constat_error *err)
{
    json_t *lp = json_object_get(rec, "location_precision"), *place, *priv, *exact;
    json_t *lat, *lon, *pm;
    const char *mode;
    json_int_t was;
    constat_status st;

    mode = lp ? json_string_value(lp) : "exact";
    if (!mode || (strcmp(mode, "coarse") != 0 && strcmp(mode, "exact") != 0))
        return constat_error_set(err, CONSTAT_EINVAL, "location_precision: must be \"exact\" "
                                 "or \"coarse\"");
    /* place_exact is written by "coarse" alone, never given by hand */
    if (json_object_get(json_object_get(rec, "private"), CONSTAT_PLACE_EXACT_FIELD))
        return constat_error_set(err, CONSTAT_EINVAL, "private.%s: is written by "
                                 "location_precision \"coarse\"; give the exact position in "
                                 "place", CONSTAT_PLACE_EXACT_FIELD);
    if (json_object_get(json_object_get(rec, "private"), CONSTAT_RELEASE_PLACE_EXACT_FIELD))
        return constat_error_set(err, CONSTAT_EINVAL, "private.%s: is written by "
                                 "location_precision \"coarse\"; give the exact position in "
                                 "transport.release_place", CONSTAT_RELEASE_PLACE_EXACT_FIELD);
    if (!lp)
        return CONSTAT_OK;
    if (strcmp(mode, "exact") == 0) {
        json_object_del(rec, "location_precision");
        return CONSTAT_OK;
    }
    place = json_object_get(rec, "place");
    lat = json_object_get(place, "lat_e7");
    lon = json_object_get(place, "lon_e7");
    if (!json_is_integer(lat) || !json_is_integer(lon))
        return constat_error_set(err, CONSTAT_EINVAL, "location_precision: \"coarse\" needs "
                                 "place.lat_e7 and place.lon_e7 (integers) to make coarse");
    priv = json_object_get(rec, "private");
    if (priv && !json_is_object(priv))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "private: must be an object of field -> value");
    pm = json_object_get(place, "precision_m");
    if (pm && !json_is_integer(pm))
        return constat_error_set(err, CONSTAT_EINVAL, "place.precision_m: must be an integer");
    was = pm ? json_integer_value(pm) : 0;
    exact = pm ? json_pack("{s:O, s:O, s:O}", "lat_e7", lat, "lon_e7", lon, "precision_m", pm)
               : json_pack("{s:O, s:O}", "lat_e7", lat, "lon_e7", lon);
    if (!exact)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (!priv) {
        priv = json_object();
        if (!priv || json_object_set_new(rec, "private", priv) != 0) {
            json_decref(exact);
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        }
    }
    if (json_object_set_new(priv, CONSTAT_PLACE_EXACT_FIELD, exact) != 0)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    json_object_set_new(place, "lat_e7",
                        json_integer(round_to(json_integer_value(lat), CONSTAT_COARSE_GRID_E7)));
    json_object_set_new(place, "lon_e7",
                        json_integer(round_to(json_integer_value(lon), CONSTAT_COARSE_GRID_E7)));
    json_object_set_new(place, "precision_m",
                        json_integer(was > CONSTAT_JSON_SAFE_MAX - CONSTAT_COARSE_PRECISION_M
                                         ? CONSTAT_JSON_SAFE_MAX
                                         : was + CONSTAT_COARSE_PRECISION_M));
    /* every other position of the record: where people were released */
    if ((st = coarsen_release(rec, priv, err)) != CONSTAT_OK)
        return st;
    json_object_del(rec, "location_precision");
    return CONSTAT_OK;
}

constat_status constat_location_coarsen_capture(json_t *ev, constat_error *err)
{
    json_t *cap = json_object_get(ev, "capture"), *priv = json_object_get(ev, "private");
    json_t *lat = json_object_get(cap, "lat_e7"), *lon = json_object_get(cap, "lon_e7");
    json_t *alt = json_object_get(cap, "alt_cm"), *exact;

    if (!json_is_integer(lat) || !json_is_integer(lon))
        return CONSTAT_OK;
    if (priv && !json_is_object(priv))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "private: must be an object of field -> value");
    if (priv && json_object_get(priv, CONSTAT_CAPTURE_EXACT_FIELD))
        return constat_error_set(err, CONSTAT_EINVAL, "private.%s: is written for the "
                                 "evidence of a coarse incident, not given",
                                 CONSTAT_CAPTURE_EXACT_FIELD);
    exact = json_is_integer(alt)
                ? json_pack("{s:O, s:O, s:O}", "lat_e7", lat, "lon_e7", lon, "alt_cm", alt)
                : json_pack("{s:O, s:O}", "lat_e7", lat, "lon_e7", lon);
    if (!exact)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (!priv && (!(priv = json_object()) || json_object_set_new(ev, "private", priv) != 0)) {
        json_decref(exact);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    if (json_object_set_new(priv, CONSTAT_CAPTURE_EXACT_FIELD, exact) != 0 ||
        json_object_set_new(cap, "lat_e7", json_integer(round_to(json_integer_value(lat),
                                                                 CONSTAT_COARSE_GRID_E7))) ||
        json_object_set_new(cap, "lon_e7", json_integer(round_to(json_integer_value(lon),
                                                                 CONSTAT_COARSE_GRID_E7))))
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    json_object_del(cap, "alt_cm");
    return CONSTAT_OK;
}
