-- A child's first board exists from the moment the child does, so reading a board never
-- writes (before this, the first GET made it).
CREATE FUNCTION poki_first_board() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO grape_boards (child_id, family_id, number) VALUES (NEW.id, NEW.family_id, 1)
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER users_first_board AFTER INSERT ON users
    FOR EACH ROW WHEN (NEW.role = 'child') EXECUTE FUNCTION poki_first_board();

INSERT INTO grape_boards (child_id, family_id, number)
SELECT u.id, u.family_id, 1 FROM users u
 WHERE u.role = 'child' AND NOT EXISTS (SELECT 1 FROM grape_boards b WHERE b.child_id = u.id);
