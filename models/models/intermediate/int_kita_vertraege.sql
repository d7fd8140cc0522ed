-- Child care contracts in their newest listing. A contract without an end that the newest workbook
-- no longer lists ended with the half-year of its last listing.
with gelistet as (
    select
        *,
        row_number() over vertrag as neueste_zuerst,
        max(received_at) over vertrag as zuletzt_gelistet
    from {{ ref('stg_kita__belegung') }}
    window vertrag as (partition by vertrag_pseudonym order by received_at desc)
)

select
    vertrag_pseudonym,
    linkage_pseudonym,
    einrichtungsnummer,
    betreuungsart,
    kindertagespflege,
    wochenstunden,
    betreuungsbeginn,
    coalesce(
        betreuungsende,
        case when zuletzt_gelistet < (select max(received_at) from gelistet)
             then (date_trunc('month', zuletzt_gelistet) - interval 1 day)::date end
    ) as betreuungsende,
    gemeinde_ags,
    geburtsjahr,
    geburtsmonat
from gelistet
where neueste_zuerst = 1
