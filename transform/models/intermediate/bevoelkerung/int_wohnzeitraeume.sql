-- Residence intervals (person-period model): the population on any date is a range query on this
-- table, not a stored snapshot. Zero-length states (two events on one day) drop out here.
select
    person_pseudonym,
    gemeinde_ags,
    gueltig_ab,
    gueltig_bis,
    geschlecht,
    geburtsjahr,
    geburtsmonat,
    staatsangehoerigkeit,
    staatsangehoerigkeit = '000' as deutsch,
    einwanderungsgeschichte,
    wohnhaft_seit_monat,
    haushalt_pseudonym
from {{ ref('int_meldezustaende') }}
where wohnhaft and gueltig_ab < gueltig_bis
