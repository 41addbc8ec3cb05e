"""Where announcements come from: announcement files and GOV.UK."""
