-- Revenue per city and day, from the current state of orders and clients.
SELECT
  c.city,
  CAST(o.created_at AS DATE) AS day,
  count(*) AS orders,
  sum(o.amount) AS revenue
FROM silver.orders o
JOIN silver.clients c ON c.id = o.client_id
WHERE o.status <> 'cancelled'
GROUP BY c.city, CAST(o.created_at AS DATE)
