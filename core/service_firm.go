package core

import (
	"context"
	"strings"
	"unicode/utf8"
)

// SettingFirmName is the securities firm's name. Every ownership challenge
// states it, so a customer signs a message naming who asks for the proof.
const SettingFirmName = "firm_name"

// ValidateFirmName returns the name trimmed, or EINVALID. A control
// character is refused: the name is one line of a message customers sign,
// and a newline in it could forge the lines that follow.
func ValidateFirmName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 2 || n > 100 {
		return "", Errorf(EINVALID, "The firm's name must be 2 to 100 characters.")
	}
	if err := CheckText("It", name, false); err != nil {
		return "", Errorf(EINVALID, "The firm's name must be one line of text. %s", ErrorMessage(err))
	}
	return name, nil
}

// FirmName returns the firm's name, "" while it is not set.
// Requires Operator Admin.
func (s *Service) FirmName(ctx context.Context) (string, error) {
	if _, err := s.authorize(ctx, ActionConfigureDesk); err != nil {
		return "", err
	}
	return s.Store.Setting(ctx, SettingFirmName)
}

// SetFirmName sets the firm's name that challenges state, audited with
// the name before and after. Requires Operator Admin.
func (s *Service) SetFirmName(ctx context.Context, name string) error {
	op, err := s.authorize(ctx, ActionConfigureDesk)
	if err != nil {
		return err
	}
	if name, err = ValidateFirmName(name); err != nil {
		return err
	}
	before, err := s.Store.Setting(ctx, SettingFirmName)
	if err != nil {
		return err
	}
	a := s.audit(op.Name, "settings.firm_name", "settings", SettingFirmName)
	a.Before, a.After = before, name
	return s.Store.SetSetting(ctx, SettingFirmName, name, a)
}

// firmName is the name a challenge states; without one the desk refuses to
// issue challenges rather than have customers sign an anonymous request.
func (s *Service) firmName(ctx context.Context) (string, error) {
	name, err := s.Store.Setting(ctx, SettingFirmName)
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", Errorf(EINVALID, "The firm's name is not set, and challenges must name the firm; an administrator sets it (depositctl firm set NAME).")
	}
	return name, nil
}
