import { Module } from '@nestjs/common';
import { CatalogueRepository } from './catalogue.repository.js';
import { CatalogueService } from './catalogue.service.js';
import { RecordsRepository } from './records.repository.js';
import { RecordsService } from './records.service.js';

@Module({
  providers: [CatalogueRepository, RecordsRepository, CatalogueService, RecordsService],
  exports: [CatalogueService, RecordsService],
})
export class CatalogueModule {}
