# extract.R — how calais-ne50m.json was made (run once; not part of the build).
# Needs the Debian packages r-base-core, r-cran-sp and r-cran-rnaturalearthdata
# (Natural Earth 1:50m, public domain). Prints the vertices of France's 1:50m
# land ring that fall in 50.5..51.3 N, 1.3..2.8 E, in ring order, as "lon lat".
library(sp)
data(countries50, package = "rnaturalearthdata")
i <- which(countries50@data$name == "France")
for (p in countries50@polygons[[i]]@Polygons) {
  cc <- p@coords
  j <- which(cc[, 2] > 50.5 & cc[, 2] < 51.3 & cc[, 1] > 1.3 & cc[, 1] < 2.8)
  if (length(j) > 0)
    for (k in j) cat(sprintf("%.6f %.6f\n", cc[k, 1], cc[k, 2]))
}
