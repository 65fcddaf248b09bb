-- The database's share of one POST /v0/bookings, replayed by pgbench without the host: the statements the
-- host sends for a booking of a free slot and for its two emails, in the same transactions, with values of
-- the same size (taken from pg_stat_statements during the bookings load). Every row is new, so no two
-- clients wait for each other except where the host's own bookings would (WAL flushes, the NOTIFY lock).
-- Run by scripts/bench against its database after the other cases: pgbench -n -M prepared -c 16 -j 2 -T 15.
\set org random(1, 1000000000)
\set key random(1, 1000000000)
-- 1. The Idempotency-Key claimed, in its own autocommitted statement.
insert into opencalendly.idempotency_keys (id, request_hash, claimed_at) values ('floor-' || :org || '-' || :key, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', now()) on conflict (id) do nothing;
-- 2. Whose booking it is, fresh (one batched round trip: organizer, event type, schedule, subscriptions, calendars).
select d.id, d.data from opencalendly.mt_doc_user as d where id = (select gen_random_uuid());
-- 3. The booking's transaction: the organizer's lock, their taken time, the event and its stream, the booking
--    document, the reservation (the exclusion constraint and the NOTIFY trigger), the funnel, two outbox
--    envelopes (the emails) and the stored answer.
begin;
select pg_try_advisory_xact_lock(1548615687, :org);
select lower(during), upper(during), false, booking_id from opencalendly.slot_reservations where user_id = md5(:org::text)::uuid and active and during && tstzrange(now(), now() + interval '1 day', '[)') union all select lower(during), upper(during), true, null from opencalendly.busy_windows where user_id = md5(:org::text)::uuid and during && tstzrange(now(), now() + interval '1 day', '[)') order by 1;
select opencalendly.mt_quick_append_events(gen_random_uuid(), 'booking', '*DEFAULT*', array[gen_random_uuid()], array['booking_confirmed']::varchar[], array['OpenCalendly.Scheduling.Bookings.BookingConfirmed']::varchar[], array['{"endsAt": "2027-01-25T00:15:00+00:00", "teamId": null, "answers": {}, "startsAt": "2027-01-25T00:00:00+00:00", "teamMode": null, "bookingId": "01a21663-4fee-7fa5-9a98-2be0d912c065", "confirmedAt": "2026-11-26T05:45:36.1717207+00:00", "eventTypeId": "01a21663-48c8-7610-8828-54c5150e0e21", "inviteeName": "Load", "organizerId": "01a21663-48b7-76cc-8021-f3087f89345d", "inviteeEmail": "load@example.com", "cancelTokenHash": "b65423e4a81b0782bb83dc38ae69a9f8a9c84f4f5d5adc7f7f483dda0de4a219", "inviteeTimezone": "UTC", "reservedUserIds": ["01a21663-48b7-76cc-8021-f3087f89345d"], "bufferAfterMinutes": 0, "bufferBeforeMinutes": 0, "rescheduleTokenHash": "5edb767605f96ad44b80c107028b48cae26d9852e5e36d87274cde689c536b26", "actionTokensExpireAt": "2027-01-25T00:00:00+00:00"}'::jsonb], array[null]::bytea[], array[now()]);
insert into opencalendly.mt_doc_booking (id, data, mt_version, mt_dotnet_type, mt_last_modified) values (gen_random_uuid(), '{"id": "01a21663-4ed4-7a34-a4c0-871d2a6e1b1e", "endsAt": "2027-01-25T00:15:00+00:00", "status": "Confirmed", "teamId": null, "answers": {}, "startsAt": "2027-01-25T00:00:00+00:00", "teamMode": null, "canceledAt": null, "calendarUid": "01a21663-4ed4-7a34-a4c0-871d2a6e1b1e@opencalendly", "confirmedAt": "2026-11-26T05:45:36.1899103+00:00", "eventTypeId": "01a21663-4579-7ea2-b957-34a31c7800d7", "inviteeName": "Load", "organizerId": "01a21663-456e-7aad-81bd-821ab16b5b96", "cancelReason": null, "inviteeEmail": "load@example.com", "remindersSent": [], "cancelTokenHash": "9443cf4d79c4e96b2d15974e17261738f851838e28930543afe9f336ec62c2bb", "inviteeTimezone": "UTC", "reservedUserIds": ["01a21663-456e-7aad-81bd-821ab16b5b96"], "calendarSequence": 0, "bufferAfterMinutes": 0, "bufferBeforeMinutes": 0, "rescheduleTokenHash": "4658c5e847f7f597a7b8670bd1132a7da0284ab1b980b4ae536477d375e86518", "rescheduledToEndsAt": null, "actionTokensExpireAt": "2027-01-25T00:00:00+00:00", "rescheduledToStartsAt": null, "rescheduledToBookingId": null, "rescheduledFromBookingId": null}', 1, 'OpenCalendly.Scheduling.Bookings.Booking', transaction_timestamp());
insert into opencalendly.slot_reservations (booking_id, user_id, during, active) values (gen_random_uuid(), gen_random_uuid(), tstzrange(now(), now() + interval '30 minutes'), true);
with f as (insert into opencalendly.funnel_bookings (booking_id, event_type_id, day, bucket) values (gen_random_uuid(), gen_random_uuid(), current_date, 'confirmed') on conflict (booking_id) do nothing returning event_type_id, day), d as (insert into opencalendly.funnel_daily (event_type_id, day, organizer_id, booking_confirmations, confirmed) select event_type_id, day, gen_random_uuid(), 1, 1 from f on conflict (event_type_id, day) do update set booking_confirmations = opencalendly.funnel_daily.booking_confirmations + 1, confirmed = opencalendly.funnel_daily.confirmed + 1) select count(*) from f;
insert into opencalendly.wolverine_incoming_envelopes (body, id, status, owner_id, execution_time, attempts, message_type, received_at, keep_until) values (convert_to(repeat('x', 1208), 'UTF8'), gen_random_uuid(), 'Incoming', 1, null, 0, 'OpenCalendly.Host.Email.SendEmail', 'local://durable/', null);
insert into opencalendly.wolverine_incoming_envelopes (body, id, status, owner_id, execution_time, attempts, message_type, received_at, keep_until) values (convert_to(repeat('x', 2550), 'UTF8'), gen_random_uuid(), 'Incoming', 1, null, 0, 'OpenCalendly.Host.Email.SendEmail', 'local://durable/', null);
update opencalendly.idempotency_keys set status = 200, sealed_body = repeat('s', 1400) where id = 'floor-' || :org || '-' || :key;
commit;
-- 4. Each email: its delivery record read and written, and its envelope marked handled, in one transaction.
begin;
select d.id, d.data from opencalendly.mt_doc_emaildelivery as d where id = (select gen_random_uuid()::text);
insert into opencalendly.mt_doc_emaildelivery (id, data, mt_version, mt_dotnet_type, mt_last_modified) values (gen_random_uuid(), '{"status": "sent", "to": "load@example.com"}', gen_random_uuid(), 'OpenCalendly.Host.Email.EmailDelivery', transaction_timestamp());
update opencalendly.wolverine_incoming_envelopes set status = 'Handled', keep_until = now() + interval '5 minutes' where id = (select gen_random_uuid());
commit;
begin;
select d.id, d.data from opencalendly.mt_doc_emaildelivery as d where id = (select gen_random_uuid()::text);
insert into opencalendly.mt_doc_emaildelivery (id, data, mt_version, mt_dotnet_type, mt_last_modified) values (gen_random_uuid(), '{"status": "sent", "to": "load@example.com"}', gen_random_uuid(), 'OpenCalendly.Host.Email.EmailDelivery', transaction_timestamp());
update opencalendly.wolverine_incoming_envelopes set status = 'Handled', keep_until = now() + interval '5 minutes' where id = (select gen_random_uuid());
commit;
