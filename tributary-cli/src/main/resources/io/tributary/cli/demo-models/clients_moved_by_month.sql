-- Clients who moved to another city, per month: each version of history.clients whose city differs
-- from the client's version before it is a move, dated when the new version starts.
WITH versions AS (
  SELECT
    id,
    city,
    _valid_from,
    lag(city) OVER (PARTITION BY id ORDER BY _valid_from) AS previous_city
  FROM history.clients
)
SELECT
  CAST(date_trunc('month', _valid_from) AS DATE) AS month,
  count(DISTINCT id) AS clients_moved,
  count(*) AS moves
FROM versions
WHERE previous_city IS NOT NULL AND city IS DISTINCT FROM previous_city
GROUP BY CAST(date_trunc('month', _valid_from) AS DATE)
