-- Moves across a Gemeinde border: from outside the Kreis (Zuzug), to outside (Fortzug), and between
-- Gemeinden of the Kreis (Umzug). A move within one Gemeinde is no migration.
select
    person_pseudonym,
    gueltig_ab as ereignisdatum,
    ereignisart,
    vorherige_gemeinde_ags as von_gemeinde_ags,
    case when wohnhaft then gemeinde_ags end as nach_gemeinde_ags,
    geschlecht,
    geburtsjahr,
    geburtsmonat,
    staatsangehoerigkeit = '000' as deutsch
from {{ ref('int_meldezustaende') }}
where ereignisart in ('Zuzug', 'Fortzug', 'Umzug')
  and coalesce(vorherige_gemeinde_ags, '') <> coalesce(case when wohnhaft then gemeinde_ags end, '')
