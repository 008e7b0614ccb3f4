import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogueObject } from './catalogue-object.entity.js';
import { CatalogueColumn } from './catalogue-column.entity.js';
import { RecordEntity } from './record.entity.js';
import { FieldMappingService } from './field-mapping.service.js';
import { Module } from '@nestjs/common';
import { CatalogueRepository } from './catalogue.repository.js';
import { CatalogueService } from './catalogue.service.js';
import { RecordsRepository } from './records.repository.js';
import { RecordsService } from './records.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([CatalogueObject, CatalogueColumn, RecordEntity])],
  providers: [CatalogueRepository, RecordsRepository, CatalogueService, RecordsService, FieldMappingService],
  exports: [CatalogueService, RecordsService, FieldMappingService],
})
export class CatalogueModule {}
