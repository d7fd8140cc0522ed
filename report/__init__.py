"""The digital social report: a self-contained HTML page per Stichtag and Datenstand, built from the public
zone only (lake/public/), with the map, series, rankings and Gemeinde profiles (`stichtag report`)."""
