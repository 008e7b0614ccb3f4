import { FieldMappingService } from './field-mapping.service.js';
import { Module } from '@nestjs/common';
import { CatalogueRepository } from './catalogue.repository.js';
import { CatalogueService } from './catalogue.service.js';
import { RecordsRepository } from './records.repository.js';
import { RecordsService } from './records.service.js';

@Module({
  providers: [CatalogueRepository, RecordsRepository, CatalogueService, RecordsService, FieldMappingService],
  exports: [CatalogueService, RecordsService, FieldMappingService],
})
export class CatalogueModule {}
