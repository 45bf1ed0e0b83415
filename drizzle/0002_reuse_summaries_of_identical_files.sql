ALTER TABLE `jobs` ADD `summary_key` text;--> statement-breakpoint
CREATE INDEX `jobs_summary_key` ON `jobs` (`summary_key`) WHERE summary_key IS NOT NULL;