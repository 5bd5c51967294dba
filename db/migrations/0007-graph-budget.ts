import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One Outlook budget for the whole installation (issue 16): every kada process leases request slots
 * from it, so the total in flight across replicas, the CronJob and the CLI never exceeds
 * GRAPH_CONCURRENCY. `graph_budget` holds the shared AIMD value and pause after a 429;
 * `graph_leases` one row per process and lane ('' = the whole app; with GRAPH_CONCURRENCY_SCOPE=mailbox
 * also one per mailbox, keyed by a hash so no address is stored). A lease expires unless renewed, so
 * a killed process's slots come back by themselves.
 */
export class GraphBudget1797206400000 implements MigrationInterface {
  name = 'GraphBudget1797206400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE graph_budget (
        id           boolean PRIMARY KEY DEFAULT true CHECK (id),
        -- slots allowed now after 429s (AIMD); NULL: the configured GRAPH_CONCURRENCY
        effective    integer CHECK (effective >= 1),
        paused_until timestamptz NOT NULL DEFAULT '-infinity'
      );
      INSERT INTO graph_budget DEFAULT VALUES;
      CREATE TABLE graph_leases (
        lane       text NOT NULL,
        holder     text NOT NULL,
        slots      integer NOT NULL CHECK (slots >= 0),
        wanted     integer NOT NULL CHECK (wanted >= 0),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (lane, holder)
      );

      -- One round trip per lease change. Each statement of a volatile plpgsql function sees what
      -- committed before it, so after the advisory lock the sum of the others' leases is current.
      CREATE FUNCTION kada_graph_lease(p_holder text, p_lane text, p_limit integer, p_want integer,
                                       p_keep integer, p_ttl_ms integer)
      RETURNS TABLE (granted integer, lane_limit integer, paused_ms integer, waiting integer)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_limit   integer;
        v_paused  timestamptz := '-infinity';
        v_others  integer;
        v_demand  integer;
        v_waiting integer;
        v_grant   integer;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('kada.graph_budget'), hashtext(p_lane));
        v_limit := p_limit;
        IF p_lane = '' THEN
          SELECT least(coalesce(b.effective, p_limit), p_limit), b.paused_until INTO v_limit, v_paused
            FROM graph_budget b;
        END IF;
        DELETE FROM graph_leases l WHERE l.lane = p_lane AND l.expires_at < now();
        SELECT coalesce(sum(l.slots), 0), count(*) FILTER (WHERE l.wanted > 0),
               count(*) FILTER (WHERE l.wanted > l.slots)
          INTO v_others, v_demand, v_waiting
          FROM graph_leases l WHERE l.lane = p_lane AND l.holder <> p_holder;
        v_grant := least(p_want, v_limit - v_others);
        -- Others wait for slots: keep no more than a fair share, so a busy process cannot starve them.
        IF v_waiting > 0 THEN
          v_grant := least(v_grant, ceil(v_limit::numeric / (v_demand + 1))::integer);
        END IF;
        -- Never below what is in flight: those requests run at Graph whatever the lease says.
        v_grant := greatest(p_keep, v_grant, 0);
        IF v_grant = 0 AND p_want = 0 THEN
          DELETE FROM graph_leases l WHERE l.lane = p_lane AND l.holder = p_holder;
        ELSE
          INSERT INTO graph_leases AS l (lane, holder, slots, wanted, expires_at)
          VALUES (p_lane, p_holder, v_grant, p_want, now() + p_ttl_ms * interval '1 millisecond')
          ON CONFLICT (lane, holder) DO UPDATE
            SET slots = EXCLUDED.slots, wanted = EXCLUDED.wanted, expires_at = EXCLUDED.expires_at;
        END IF;
        RETURN QUERY SELECT v_grant, v_limit,
          CASE WHEN v_paused > now() THEN ceil(extract(epoch FROM (v_paused - now())) * 1000)::integer ELSE 0 END,
          v_waiting;
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION kada_graph_lease; DROP TABLE graph_leases; DROP TABLE graph_budget`);
  }
}
