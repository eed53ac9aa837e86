package core

import (
	"context"
	"slices"
	"strings"
	"time"
)

// NeedsBootstrap reports whether no operator exists yet (first run).
func (s *Service) NeedsBootstrap(ctx context.Context) (bool, error) {
	n, err := s.Store.CountOperators(ctx)
	return n == 0, err
}

// Bootstrap creates the first administrator, with every permission, on an
// empty database. ECONFLICT once any operator exists.
func (s *Service) Bootstrap(ctx context.Context, name, password string) (*Operator, error) {
	if need, err := s.NeedsBootstrap(ctx); err != nil {
		return nil, err
	} else if !need {
		return nil, Errorf(ECONFLICT, "An administrator already exists; log in instead.")
	}
	return s.createOperator(ctx, "system", name, password, AllPermissions())
}

// CreateOperator creates an operator with the given permissions.
// Requires Operator Admin.
func (s *Service) CreateOperator(ctx context.Context, name, password string, perms []Permission) (*Operator, error) {
	actor, err := s.authorize(ctx, ActionManageOperators)
	if err != nil {
		return nil, err
	}
	return s.createOperator(ctx, actor.Name, name, password, perms)
}

func (s *Service) createOperator(ctx context.Context, actor, name, password string, perms []Permission) (*Operator, error) {
	if err := ValidateOperatorName(name); err != nil {
		return nil, err
	}
	if err := ValidatePassword(password); err != nil {
		return nil, err
	}
	perms, err := normalizePermissions(perms)
	if err != nil {
		return nil, err
	}
	hash, err := HashPassword(password, s.cost())
	if err != nil {
		return nil, err
	}
	now := s.now()
	op := &Operator{Name: name, PasswordHash: hash, Permissions: perms, CreatedAt: now, PasswordChangedAt: now, PermissionsSetBy: actor}
	a := s.audit(actor, "operator.create", "operator", name)
	a.After = permissionsText(perms)
	if err := s.Store.CreateOperator(ctx, op, a); err != nil {
		return nil, err
	}
	return op, nil
}

// Login checks name and password and returns the operator to carry in the
// context. Wrong credentials, a disabled operator and a locked operator are
// all EUNAUTHORIZED; after MaxFailedLogins consecutive failures the operator
// is locked for LockoutDuration. Every attempt is audited.
func (s *Service) Login(ctx context.Context, name, password string) (*Operator, error) {
	// One answer for a wrong name, a wrong password, a locked and a
	// disabled operator: nothing about an operator is told to someone who
	// does not know their password.
	bad := Errorf(EUNAUTHORIZED, "Wrong operator name or password.")
	op, err := s.findOperatorByName(ctx, name)
	if ErrorCode(err) == ENOTFOUND {
		// Spend the same time as a real check so names cannot be probed.
		CheckPassword(password, dummyHash)
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	// An attempt counts from the moment it starts, in one guarded
	// statement, so however many guesses arrive at once no more than
	// MaxFailedLogins are ever checked before the lock.
	now := s.now()
	op, err = s.Store.ClaimLoginAttempt(ctx, op.ID, MaxFailedLogins, now, now.Add(LockoutDuration))
	if ErrorCode(err) == ECONFLICT {
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	if !CheckPassword(password, op.PasswordHash) {
		a := s.audit(op.Name, "operator.login_failed", "operator", op.Name)
		if op.LockedUntil.After(now) {
			a.After = "locked until " + op.LockedUntil.Format(time.RFC3339)
		}
		if err := s.Store.AppendAudit(ctx, a); err != nil {
			return nil, err
		}
		return nil, bad
	}
	if op.Disabled {
		// The password is right: saying why helps the operator, not a guesser.
		return nil, Errorf(EUNAUTHORIZED, "Operator %q is disabled.", op.Name)
	}
	a := s.audit(op.Name, "operator.login", "operator", op.Name)
	op, err = s.Store.UpdateOperator(ctx, op.ID, OperatorUpdate{FailedLogins: ptr(0), LockedUntil: ptr(time.Time{})}, a)
	if err != nil {
		return nil, err
	}
	if err := s.registerOperatorKey(ctx, op); err != nil {
		return nil, err
	}
	return op, nil
}

// ChangePassword changes the logged-in operator's own password after
// checking the current one.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	me := OperatorFromContext(ctx)
	if me == nil {
		return Errorf(EUNAUTHORIZED, "Please log in.")
	}
	if _, err := s.currentOperator(ctx, me); err != nil {
		return err
	}
	if err := ValidatePassword(next); err != nil {
		return err
	}
	if next == current {
		return Errorf(EINVALID, "The new password must differ from the current one.")
	}
	// A wrong current password counts like a wrong login, so someone at an
	// unlocked desk cannot guess it without the lockout; the lock ends the
	// session (EUNAUTHORIZED), a wrong guess does not (EINVALID).
	now := s.now()
	op, err := s.Store.ClaimLoginAttempt(ctx, me.ID, MaxFailedLogins, now, now.Add(LockoutDuration))
	if ErrorCode(err) == ECONFLICT {
		return Errorf(EUNAUTHORIZED, "Too many wrong passwords: operator %q is locked for %d minutes.", me.Name, int(LockoutDuration/time.Minute))
	} else if err != nil {
		return err
	}
	if !CheckPassword(current, op.PasswordHash) {
		a := s.audit(op.Name, "operator.password_failed", "operator", op.Name)
		if op.LockedUntil.After(now) {
			a.After = "locked until " + op.LockedUntil.Format(time.RFC3339)
		}
		if err := s.Store.AppendAudit(ctx, a); err != nil {
			return err
		}
		return Errorf(EINVALID, "The current password is wrong.")
	}
	hash, err := HashPassword(next, s.cost())
	if err != nil {
		return err
	}
	a := s.audit(op.Name, "operator.password_change", "operator", op.Name)
	_, err = s.Store.UpdateOperator(ctx, op.ID, OperatorUpdate{PasswordHash: &hash, PasswordChangedAt: ptr(s.now()),
		FailedLogins: ptr(0), LockedUntil: ptr(time.Time{})}, a)
	return err
}

// SetOperatorDisabled disables or re-enables an operator. Requires Operator
// Admin; an operator cannot disable themself.
func (s *Service) SetOperatorDisabled(ctx context.Context, name string, disabled bool, remarks string) (*Operator, error) {
	actor, err := s.authorize(ctx, ActionManageOperators)
	if err != nil {
		return nil, err
	}
	if err := ValidateRemarks(remarks); err != nil {
		return nil, err
	}
	if strings.EqualFold(actor.Name, name) && disabled {
		return nil, Errorf(EINVALID, "You cannot disable your own operator.")
	}
	op, err := s.findOperatorByName(ctx, name)
	if err != nil {
		return nil, err
	}
	a := s.audit(actor.Name, "operator.disable", "operator", op.Name)
	if !disabled {
		a.Action = "operator.enable"
	}
	a.Before, a.After, a.Remarks = boolText(op.Disabled, "disabled", "enabled"), boolText(disabled, "disabled", "enabled"), remarks
	upd := OperatorUpdate{Disabled: &disabled}
	if !disabled {
		upd.FailedLogins, upd.LockedUntil = ptr(0), ptr(time.Time{})
	}
	return s.Store.UpdateOperator(ctx, op.ID, upd, a)
}

// SetOperatorPermissions replaces an operator's permissions. Requires
// Operator Admin; an administrator cannot remove their own Operator Admin.
func (s *Service) SetOperatorPermissions(ctx context.Context, name string, perms []Permission) (*Operator, error) {
	actor, err := s.authorize(ctx, ActionManageOperators)
	if err != nil {
		return nil, err
	}
	perms, err = normalizePermissions(perms)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(actor.Name, name) && !slices.Contains(perms, PermOperatorAdmin) {
		return nil, Errorf(EINVALID, "You cannot remove your own Operator Admin permission.")
	}
	op, err := s.findOperatorByName(ctx, name)
	if err != nil {
		return nil, err
	}
	a := s.audit(actor.Name, "operator.permissions", "operator", op.Name)
	a.Before, a.After = permissionsText(op.Permissions), permissionsText(perms)
	return s.Store.UpdateOperator(ctx, op.ID, OperatorUpdate{Permissions: &perms, PermissionsSetBy: &actor.Name}, a)
}

// ListOperators returns all operators. Requires Operator Admin.
func (s *Service) ListOperators(ctx context.Context) ([]*Operator, error) {
	if _, err := s.authorize(ctx, ActionManageOperators); err != nil {
		return nil, err
	}
	return s.Store.FindOperators(ctx, OperatorFilter{})
}

func (s *Service) findOperatorByName(ctx context.Context, name string) (*Operator, error) {
	ops, err := s.Store.FindOperators(ctx, OperatorFilter{Name: &name})
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, Errorf(ENOTFOUND, "Operator %q not found.", truncate(name, 64))
	}
	return ops[0], nil
}

func (s *Service) cost() Argon2Params {
	if s.PasswordCost == (Argon2Params{}) {
		return DefaultArgon2Params
	}
	return s.PasswordCost
}

func normalizePermissions(perms []Permission) ([]Permission, error) {
	out := make([]Permission, 0, len(perms))
	for _, p := range perms {
		q, err := ParsePermission(string(p))
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, q) {
			out = append(out, q)
		}
	}
	slices.Sort(out)
	return out, nil
}

func permissionsText(perms []Permission) string {
	ss := make([]string, len(perms))
	for i, p := range perms {
		ss[i] = string(p)
	}
	return strings.Join(ss, ", ")
}

func boolText(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// dummyHash makes a login for an unknown name cost as much as a real one.
const dummyHash = "$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
