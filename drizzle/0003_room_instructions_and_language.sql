ALTER TABLE `rooms` ADD `instructions` text;--> statement-breakpoint
ALTER TABLE `rooms` ADD `language` text;