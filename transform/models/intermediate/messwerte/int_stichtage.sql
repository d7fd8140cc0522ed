-- The Stichtage of this build: the half-open window [min_date, max_date) thinned to the
-- raster, and its last day (a series ends with its newest Stichtag), each with the day one year
-- earlier (start of the 12-month window for rates).
with tage as (
    select unnest(generate_series({{ min_date() }}, {{ max_date() }} - interval 1 day, interval 1 day))::date
        as stichtag
)

select
    stichtag,
    (stichtag - interval 1 year)::date as vorjahrestag,
    (stichtag - interval 5 year)::date as vor5jahrestag
from tage
where stichtag = {{ max_date() }} - interval 1 day
    or case {{ raster() }}
        when 'taeglich' then true
        when 'monatsende' then stichtag = last_day(stichtag)
        when 'jahresende' then month(stichtag) = 12 and day(stichtag) = 31
    end
