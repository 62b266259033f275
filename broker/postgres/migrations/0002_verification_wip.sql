-- Whether a verification was of a work-in-progress pact: those do not take
-- a pact out of the work-in-progress set.
ALTER TABLE verifications ADD COLUMN wip BIGINT NOT NULL DEFAULT 0;
