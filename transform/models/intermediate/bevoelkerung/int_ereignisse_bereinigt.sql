-- Events that stand: every Storno removes itself and the Vorgang it cancels (a correction then
-- arrives as a new Vorgang with the right date). Not materialised: the Storno list reads two narrow
-- columns, and holding every event's wide row for it doubled the model's time (measured).
with ereignisse as not materialized (
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
