package core

import (
	"context"
	"strings"
)

// checkSecondPerson refuses checker as the second person on work that
// maker did (a refund request, submitted evidence): never the same
// operator, and never two operators one of whom set the other's
// permissions. Otherwise an administrator could create an operator with
// Refund Approval and approve their own refund through it.
func (s *Service) checkSecondPerson(ctx context.Context, maker string, checker *Operator, perm Permission) error {
	if strings.EqualFold(maker, checker.Name) {
		return Errorf(EFORBIDDEN, "Nobody approves their own work; another operator with %s must.", perm)
	}
	m, err := s.findOperatorByName(ctx, maker)
	if ErrorCode(err) == ENOTFOUND {
		return nil // not an operator of this desk (an API client): no one set its permissions
	} else if err != nil {
		return err
	}
	switch {
	case strings.EqualFold(m.PermissionsSetBy, checker.Name):
		return Errorf(EFORBIDDEN, "%s set %s's permissions, so %s cannot be %s's second person; another operator with %s must approve.",
			checker.Name, m.Name, checker.Name, m.Name, perm)
	case strings.EqualFold(checker.PermissionsSetBy, m.Name):
		return Errorf(EFORBIDDEN, "%s set %s's permissions, so %s cannot be %s's second person; another operator with %s must approve.",
			m.Name, checker.Name, checker.Name, m.Name, perm)
	}
	return nil
}
