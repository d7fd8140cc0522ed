-- Events that stand: every Storno removes itself and the Vorgang it cancels (a correction then
-- arrives as a new Vorgang with the right date).
with ereignisse as (
    select * from {{ ref('stg_melderegister__ereignisse') }}
),

storniert as (
    select distinct bezugsvorgang as vorgangsnummer
    from ereignisse
    where ereignisart = 'Storno'
)

select ereignisse.*
from ereignisse
anti join storniert using (vorgangsnummer)
where ereignisse.ereignisart <> 'Storno'
